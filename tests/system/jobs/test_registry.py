"""Tracking detached processes: launch, list, follow, stop, prune (real child processes)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from instructlab.core import System
from instructlab.errors import FileError, ProcessNotFound
from instructlab.system import jobs as processes
from instructlab.system.jobs import registry


def _wait_state(process_id: str, state: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes.get(process_id).state == state:
            return
        time.sleep(0.05)
    raise AssertionError(f"{process_id} never became {state}: {processes.get(process_id)}")


def test_a_finished_job_is_recorded_with_its_exit_code_and_log() -> None:
    ok = processes.launch([sys.executable, "-c", "print('hello from the job')"], "test")
    bad = processes.launch([sys.executable, "-c", "import sys; sys.exit(3)"], "test")
    _wait_state(ok.id, "done")
    _wait_state(bad.id, "failed")
    listed = {r["id"]: r for r in System().processes()}
    assert listed[ok.id]["exit_code"] == 0
    assert listed[bad.id]["exit_code"] == 3
    assert listed[ok.id]["command"][-1] == "print('hello from the job')"
    assert "".join(processes.follow(ok.id)).strip() == "hello from the job"
    assert sorted(System().prune()) == sorted([ok.id, bad.id])
    assert System().processes() == []


def test_stop_ends_a_running_job_and_forgets_it() -> None:
    record = processes.launch(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"], "test"
    )
    _wait_state(record.id, "running")
    assert System().prune() == []  # a running job is kept
    stopped = System().stop(record.id[:4])  # a unique prefix is enough
    assert stopped["id"] == record.id
    assert not processes.pid_alive(record.pid)
    with pytest.raises(ProcessNotFound):
        processes.get(record.id)


def test_attach_follows_the_log_until_the_job_ends(capsys) -> None:
    script = (
        "import time\nfor i in range(3):\n    print(f'line {i}', flush=True)\n    time.sleep(0.2)"
    )
    record = processes.launch([sys.executable, "-c", script], "test")
    System().attach(record.id)
    assert capsys.readouterr().out.split() == ["line", "0", "line", "1", "line", "2"]


def test_a_vanished_process_is_gone_and_pruned() -> None:
    record = processes.launch([sys.executable, "-c", "pass"], "test")
    _wait_state(record.id, "done")
    # Simulate a supervisor killed before it could record the exit.
    data = processes.get(record.id)
    data.exit_code = None
    registry._write(data)
    assert processes.get(record.id).state == "gone"
    assert System().prune() == [record.id]


def test_unknown_id_is_a_clear_error() -> None:
    with pytest.raises(ProcessNotFound, match="ilab process list"):
        System().stop("nope")


_GOOD = {"id": "x", "kind": "serve", "pid": 5, "command": [], "log_file": "l", "started": "s"}


@pytest.mark.parametrize(
    "damage",
    [
        json.dumps({**_GOOD, "pid": "abc"}).encode(),
        json.dumps({**_GOOD, "command": "ls -l", "started": 1}).encode(),
        json.dumps({**_GOOD, "pid": True}).encode(),
        json.dumps({**_GOOD, "exit_code": "0"}).encode(),
        b"[1, 2, 3]",
        b"\xff\xfe not json",
    ],
)
def test_a_damaged_record_is_listed_removed_and_pruned_without_a_crash(damage: bytes) -> None:
    from click.testing import CliRunner

    from instructlab.cli.main import cli

    folder = processes.processes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bad01.json").write_bytes(damage)
    (listed,) = System().processes()
    assert (listed["id"], listed["state"]) == ("bad01", "damaged")
    table = CliRunner().invoke(cli, ["process", "list"])
    assert table.exit_code == 0 and "damaged" in table.output, table.output
    attach = CliRunner().invoke(cli, ["process", "attach", "bad01"])
    assert attach.exit_code == 1 and "the record of process bad01 is damaged" in attach.output
    removed = CliRunner().invoke(cli, ["process", "remove", "bad01"])
    assert removed.exit_code == 0, removed.output
    assert System().processes() == []
    (folder / "bad02.json").write_bytes(damage)
    assert System().prune() == ["bad02"]


def test_attach_says_when_the_log_is_gone() -> None:
    record = processes.launch([sys.executable, "-c", "pass"], "test")
    _wait_state(record.id, "done")
    Path(record.log_file).unlink()
    with pytest.raises(
        FileError, match=rf"the log of process {record.id} \(done\): does not exist"
    ):
        list(processes.follow(record.id))
