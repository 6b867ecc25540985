from __future__ import annotations

from instructlab.errors import (
    ConfigError,
    ConfigProblem,
    FileError,
    InstructLabError,
    Location,
    NotImplementedYet,
    UsageError,
    YamlSyntaxError,
)


def test_every_error_is_an_instructlab_error_with_an_exit_code() -> None:
    errors = [
        UsageError("bad"),
        NotImplementedYet("the engine", "X.y"),
        FileError("f", "missing"),
        YamlSyntaxError("f", 1, 2, "bad"),
        ConfigError("c.yaml", [ConfigProblem("a.b", "wrong")]),
    ]
    assert [e.exit_code for e in errors] == [2, 3, 1, 1, 1]
    assert all(isinstance(e, InstructLabError) for e in errors)


def test_not_implemented_yet_is_also_a_builtin_not_implemented_error() -> None:
    err = NotImplementedYet("the taxonomy engine", "Taxonomy.diff")
    assert isinstance(err, NotImplementedError)
    assert str(err) == "Taxonomy.diff is not implemented yet (the taxonomy engine)."


def test_config_error_lists_every_problem() -> None:
    err = ConfigError(
        "c.yaml",
        [
            ConfigProblem("a", "first", Location("c.yaml", 1, 1)),
            ConfigProblem("b.c", "second", Location("c.yaml", 4, 3)),
        ],
    )
    assert str(err) == "c.yaml has 2 problems:\n  c.yaml:1:1 [a] first\n  c.yaml:4:3 [b.c] second"


def test_location_formats_like_a_compiler() -> None:
    assert str(Location("f")) == "f"
    assert str(Location("f", 3)) == "f:3"
    assert str(Location("f", 3, 9)) == "f:3:9"


def test_file_error_says_what_the_operating_system_meant(tmp_path) -> None:
    """One mapping for every OSError and decoding error: the path named, the cause in words."""
    import errno

    from instructlab.errors import file_error

    blocker = tmp_path / "f"
    blocker.write_text("x")
    cases = [
        (FileNotFoundError(errno.ENOENT, "No such file"), tmp_path / "nope", "does not exist"),
        (
            NotADirectoryError(errno.ENOTDIR, "Not a dir"),
            blocker / "sub" / "x",
            f"{blocker} is a file",
        ),
        (IsADirectoryError(errno.EISDIR, "Is a dir"), tmp_path, "is a folder, not a file"),
        (PermissionError(errno.EACCES, "Denied"), tmp_path / "p", "permission denied: cannot read"),
        (OSError(errno.ENOSPC, "No space"), tmp_path / "s", "no space left on the device"),
        (OSError(errno.EIO, "I/O error"), tmp_path / "io", "cannot read it: I/O error"),
    ]
    for exc, path, says in cases:
        error = file_error(path, exc)
        assert isinstance(error, FileError)
        assert error.message.startswith(str(path)), error.message
        assert says in error.message, (says, error.message)
    decoding = UnicodeDecodeError("utf-8", b"ab\xff", 2, 3, "invalid start byte")
    error = file_error(tmp_path / "t.yaml", decoding, what="a recipe")
    assert "is not UTF-8 text (byte 0xff at offset 2); expected a recipe" in error.message


def test_usage_error_carries_the_argument_at_fault() -> None:
    assert UsageError("num_perm: too small", "num_perm").param == "num_perm"
    assert UsageError("plain").param is None
