"""The README's main job, for real: the embedded teacher generates data from the bundled example.

This runs the installed `ilab` in a subprocess with its own XDG directories: `config init` seeds
the taxonomy from the example, `data generate` starts the embedded SmolLM2 server on loopback,
runs the `simple` pipeline over every leaf and writes the mixes. The rows are checked, not only
the exit code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LEAVES = {
    "compositional_skills_extraction_grounded_meeting_action_items",
    "compositional_skills_linguistics_synonyms",
    "compositional_skills_writing_freeform_thank_you_notes",
    "knowledge_science_ecology_pollinators",
}


def _ilab(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    ilab = shutil.which("ilab", path=str(Path(sys.executable).parent)) or "ilab"
    return subprocess.run(
        [ilab, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _non_empty_rows(path: Path) -> int:
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        messages = record["messages"]
        assistant = [m["content"] for m in messages if m["role"] == "assistant"]
        user = [m["content"] for m in messages if m["role"] == "user"]
        texts = assistant + user
        if assistant and user and all(text.strip() for text in texts):
            count += 1
    return count


@pytest.mark.timeout(1200)
def test_main_job_writes_at_least_five_rows_per_leaf(tmp_path: Path) -> None:

    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    init = _ilab(env, "config", "init", "--non-interactive")
    assert init.returncode == 0, init.stderr
    generate = _ilab(env, "data", "generate")
    assert generate.returncode == 0, generate.stdout + generate.stderr

    datasets = tmp_path / "data" / "instructlab" / "datasets"
    (nodes,) = datasets.glob("node_datasets_*")
    per_leaf: dict[str, int] = {}
    for file in nodes.glob("*.jsonl"):
        leaf = file.stem.removesuffix("_p07").removesuffix("_p10")
        per_leaf[leaf] = max(per_leaf.get(leaf, 0), _non_empty_rows(file))
    assert set(per_leaf) == LEAVES
    assert all(rows >= 5 for rows in per_leaf.values()), per_leaf

    (skills,) = datasets.glob("skills_train_msgs_*.jsonl")
    (knowledge,) = datasets.glob("knowledge_train_msgs_*.jsonl")
    # The mixes drop rows that repeat the seed examples (decontamination), so they may hold a
    # few rows fewer than the leaves made.
    assert _non_empty_rows(skills) >= 15
    assert _non_empty_rows(knowledge) >= 3
    for line in knowledge.read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["unmask"] is True


@pytest.mark.timeout(300)
def test_sigterm_stops_the_run_and_the_embedded_teacher(tmp_path: Path) -> None:
    """`kill ilab` mid-run: the teacher it started stops too, and the run is marked interrupted
    (the same command continues it later)."""
    import signal
    import time

    from instructlab.system.jobs import wait_exit

    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    assert _ilab(env, "config", "init", "--non-interactive").returncode == 0
    ilab = shutil.which("ilab", path=str(Path(sys.executable).parent)) or "ilab"
    run = subprocess.Popen(
        [ilab, "data", "generate", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    teacher = None
    deadline = time.monotonic() + 120
    while teacher is None and time.monotonic() < deadline and run.poll() is None:
        for task in Path(f"/proc/{run.pid}/task").iterdir():
            found = (task / "children").read_text().split()
            teacher = int(found[0]) if found else teacher
        time.sleep(0.1)
    assert teacher is not None, "no teacher process started"
    runs = tmp_path / "data" / "instructlab" / "datasets" / "runs"
    while not list(runs.glob("*/run.json")) and time.monotonic() < deadline:
        time.sleep(0.1)  # the teacher answers and the run has begun
    assert run.poll() is None, run.communicate()[0]
    run.send_signal(signal.SIGTERM)
    output, _ = run.communicate(timeout=60)
    assert run.returncode == 128 + signal.SIGTERM, output
    assert "Traceback" not in output and "this is a bug" not in output
    assert wait_exit(teacher, 15), "the teacher outlived ilab"
    listed = _ilab(env, "data", "list")
    assert "interrupted" in listed.stdout, listed.stdout
