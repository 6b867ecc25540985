"""Runs found in the data sets folder: run folders and InstructLab's flat, suffixed files."""

from __future__ import annotations

import os
from pathlib import Path

from instructlab.fileio import write_jsonl
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


def _engine_run(root: Path, suffix: str, meta: dict[str, object], mixed: bool = True) -> Path:
    """A run as the engine leaves it: its folder under runs/ and, once mixed, its outputs."""
    import json

    run_dir = root / "runs" / f"{suffix}_abcdef12"
    shard = run_dir / "shards" / "leaf-0123456789ab"
    write_jsonl(shard / "rows.jsonl", [{"a": 1}] * 4)
    write_jsonl(shard / "requests.jsonl", [{"key": "k"}] * 9)
    (run_dir / "run.json").write_text(json.dumps({"suffix": suffix, **meta}), encoding="utf-8")
    if mixed:
        write_jsonl(root / f"skills_train_msgs_{suffix}.jsonl", [{"a": 1}] * 2)
    return run_dir


def test_the_status_of_each_run_comes_from_its_run_json(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    dead_pid = int(gone.stdout)
    _engine_run(tmp_path, "2025-01-01T00_00_01", {"status": "done", "pid": dead_pid})
    failed = _engine_run(tmp_path, "2025-01-01T00_00_02", {"status": "incomplete", "pid": dead_pid})
    report = {
        "leaves": [{"leaf": "a/qna.yaml", "rows_out": 5}, {"leaf": "b/qna.yaml", "rows_out": 0}]
    }
    (failed / "report.json").write_text(json.dumps(report), encoding="utf-8")
    _engine_run(
        tmp_path, "2025-01-01T00_00_03", {"status": "failed", "error": "teacher gone"}, False
    )
    killed = _engine_run(
        tmp_path, "2025-01-01T00_00_04", {"status": "running", "pid": dead_pid}, False
    )
    _engine_run(tmp_path, "2025-01-01T00_00_05", {"status": "running", "pid": os.getpid()}, False)
    write_jsonl(tmp_path / f"skills_train_msgs_{SUFFIX}.jsonl", [{"a": 1}])  # InstructLab's
    runs = {r.name: r for r in list_runs(tmp_path)}
    # The engine's working folder is no run of its own.
    assert set(runs) == {SUFFIX} | {f"2025-01-01T00_00_0{i}" for i in range(1, 6)}
    state = {name: r.status.state for name, r in runs.items()}
    assert state == {
        SUFFIX: "unknown",
        "2025-01-01T00_00_01": "done",
        "2025-01-01T00_00_02": "failed",
        "2025-01-01T00_00_03": "failed",
        "2025-01-01T00_00_04": "interrupted",
        "2025-01-01T00_00_05": "running",
    }
    assert runs["2025-01-01T00_00_02"].status.failed_leaves == ("b/qna.yaml",)
    assert runs["2025-01-01T00_00_03"].status.error == "teacher gone"
    # A mixed run lists its outputs; one stopped before mixing, what its shards generated.
    assert [f.path.name for f in runs["2025-01-01T00_00_01"].files] == [
        "skills_train_msgs_2025-01-01T00_00_01.jsonl"
    ]
    stopped = runs["2025-01-01T00_00_04"]
    assert stopped.path == killed and stopped.rows == 4


def test_a_damaged_run_json_is_listed_as_damaged_never_as_a_run_named_runs(
    tmp_path: Path,
) -> None:
    run_dir = _engine_run(tmp_path, "2025-01-01T00_00_01", {"status": "done"}, False)
    (run_dir / "run.json").write_bytes(b"\xff\x00{ half a json")
    runs = {r.name: r for r in list_runs(tmp_path)}
    assert "runs" not in runs
    (damaged,) = runs.values()
    assert damaged.status.state == "damaged"
    assert str(run_dir / "run.json") in str(damaged.status.error)
    assert damaged.rows == 4  # what its leaves generated is still shown
