"""Files written whole or not at all, and every read error naming its file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from instructlab.errors import FileError
from instructlab.fileio import (
    atomic_dir,
    atomic_open,
    atomic_write_text,
    check_dir,
    count_jsonl_rows,
    ensure_dir,
    iter_jsonl,
    read_jsonl,
    read_text,
    write_jsonl,
)


def test_an_atomic_write_leaves_the_old_file_when_it_fails(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("a kill, a full disk")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no partial left behind
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n"


def test_writes_into_a_path_blocked_by_a_file_name_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("x")
    with pytest.raises(FileError, match=f"{blocker} is a file, not a folder"):
        atomic_write_text(blocker / "sub" / "out.txt", "x")
    with pytest.raises(FileError, match="is a file, not a folder"):
        ensure_dir(blocker)
    with pytest.raises(FileError, match="is a folder, not a file"):
        atomic_write_text(tmp_path, "x")


def test_check_dir_creates_nothing(tmp_path: Path) -> None:
    assert check_dir(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileError, match="is a file, not a data folder"):
        check_dir(tmp_path / "file", "data folder")
    with pytest.raises(FileError, match="file is a file, not a folder"):
        check_dir(tmp_path / "file" / "sub")


def test_check_dir_refuses_a_folder_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root writes anywhere (CI runs as root), so the permission bits are stood in for.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(FileError, match=f"permission denied: cannot write in {tmp_path}"):
        check_dir(tmp_path / "out")


def test_atomic_dir_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    target = tmp_path / "checkout"
    with pytest.raises(RuntimeError), atomic_dir(target) as partial:
        partial.mkdir()
        (partial / "half").write_text("x")
        raise RuntimeError("clone failed")
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(target) as partial:
        partial.mkdir()
        (partial / "whole").write_text("x")
    assert [p.name for p in target.iterdir()] == ["whole"]
    with atomic_dir(target) as partial:  # someone made it meanwhile: theirs stays
        partial.mkdir()
        (partial / "ours").write_text("x")
    assert [p.name for p in target.iterdir()] == ["whole"]
    assert [p.name for p in tmp_path.iterdir()] == ["checkout"]


def test_read_text_names_the_file_and_what_it_should_be(tmp_path: Path) -> None:
    binary = tmp_path / "template.jinja"
    binary.write_bytes(b"\x81\x00binary")
    with pytest.raises(FileError, match=r"template\.jinja: is not UTF-8 text .*a chat template"):
        read_text(binary, what="a chat template")
    with pytest.raises(FileError, match="nope: does not exist"):
        read_text(tmp_path / "nope")
    with pytest.raises(FileError, match="is a folder, not a file"):
        read_text(tmp_path)


def test_jsonl_round_trip_and_located_errors(tmp_path: Path) -> None:
    rows = [{"a": 1, "text": "line\u2028separator"}, {"b": [1, 2]}]
    path = tmp_path / "rows.jsonl"
    assert write_jsonl(path, rows) == 2
    assert read_jsonl(path) == rows  # U+2028 inside a string is not a line break
    assert count_jsonl_rows(path) == 2
    assert [(n, row) for n, _, row in iter_jsonl(path)] == [(1, rows[0]), (2, rows[1])]
    path.write_text(json.dumps(rows[0]) + "\n\n[1, 2]\n")
    with pytest.raises(FileError, match=r"rows\.jsonl:3: expected a JSON object"):
        read_jsonl(path)
    path.write_text('{"a": 1}\n{oops\n')
    with pytest.raises(FileError, match=r"rows\.jsonl:2: not valid JSON"):
        read_jsonl(path)
    path.write_bytes(b'{"a": 1}\n\xff\xfe\n')
    with pytest.raises(FileError, match=r"rows\.jsonl:2: is not UTF-8 text"):
        read_jsonl(path)
    with pytest.raises(FileError, match="does not exist"):
        count_jsonl_rows(tmp_path / "none.jsonl")
    write_jsonl(path, [{"when": object}], default=lambda _: "object")
    assert read_jsonl(path) == [{"when": "object"}]
