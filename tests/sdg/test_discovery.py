"""Pipeline discovery: directories, XDG user and system directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.sdg.discovery import find_pipeline, list_pipelines
from instructlab.sdg.errors import GenerateException


def _make(root: Path, files: tuple[str, ...] = ("knowledge.yaml",)) -> Path:
    root.mkdir(parents=True)
    for f in files:
        (root / f).write_text('version: "1.0"\nblocks: []\n', encoding="utf-8")
    return root


def test_a_directory_path_is_used_as_is(tmp_path: Path) -> None:
    d = _make(tmp_path / "mine", ("knowledge.yaml", "grounded_skills.yaml"))
    found = find_pipeline(str(d))
    assert found.path == d.resolve()
    assert found.kinds == ["knowledge", "grounded_skill"]


def test_user_dir_wins_over_system_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user"
    system = tmp_path / "sys"
    _make(user / "instructlab/sdg/pipelines/custom")
    _make(system / "instructlab/sdg/pipelines/custom")
    _make(system / "instructlab/sdg/pipelines/other")
    monkeypatch.setenv("XDG_DATA_HOME", str(user))
    monkeypatch.setenv("XDG_DATA_DIRS", str(system))
    assert find_pipeline("custom").source == "user"
    assert find_pipeline("other").source == "system"
    names = [p.name for p in list_pipelines()]
    assert names.count("custom") == 1
    assert "other" in names


def test_unknown_name_lists_what_was_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    with pytest.raises(GenerateException, match="no pipeline named 'nope'") as err:
        find_pipeline("nope")
    assert str(tmp_path) in str(err.value)


def test_a_directory_without_pipeline_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(GenerateException, match="not a pipeline directory"):
        find_pipeline(str(tmp_path / "empty"))
