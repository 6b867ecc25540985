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
