"""Runs found in the data sets folder: run folders and InstructLab's flat, suffixed files."""

from __future__ import annotations

import os
from pathlib import Path

from instructlab.sdg.jsonl import write_jsonl
from instructlab.sdg.listing import list_runs

SUFFIX = "2025-01-01T00_00_00"


def test_an_absent_folder_has_no_runs(tmp_path: Path) -> None:
    assert list_runs(tmp_path / "nothing") == []


def test_flat_runs_group_by_suffix_and_folders_are_runs(tmp_path: Path) -> None:
    write_jsonl(tmp_path / f"skills_train_msgs_{SUFFIX}.jsonl", [{"a": 1}] * 3)
    (tmp_path / f"skills_recipe_{SUFFIX}.yaml").write_text("datasets: []\n")
    write_jsonl(tmp_path / f"node_datasets_{SUFFIX}" / "leaf.jsonl", [{"a": 1}] * 2)
    write_jsonl(tmp_path / "run-b" / "out.jsonl", [{"a": 1}])
    (tmp_path / "run-b" / ".partial.jsonl").write_text("{}\n")
    (tmp_path / "empty-run").mkdir()
    old = tmp_path / f"test_{SUFFIX}.jsonl"
    write_jsonl(old, [{"a": 1}])
    os.utime(tmp_path / "run-b" / "out.jsonl", (2_000_000_000, 2_000_000_000))
    runs = list_runs(tmp_path)
    assert [r.name for r in runs] == ["run-b", SUFFIX]  # newest first, empty folder left out
    flat = runs[1]
    assert flat.rows == 3 + 2 + 1
    by_name = {f.path.name: f for f in flat.files}
    assert by_name[f"skills_recipe_{SUFFIX}.yaml"].rows is None
    assert by_name["leaf.jsonl"].rows == 2
    assert [f.path.name for f in runs[0].files] == ["out.jsonl"]
    assert all(f.size > 0 for f in flat.files)
