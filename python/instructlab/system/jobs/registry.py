"""Background processes started detached (``-dt``): servers now, data generation and training later.

Each one runs under a small supervisor (``python -m instructlab.system.jobs.supervise``) in its own
session, with its output in a log file. A JSON record per process under
``<data>/internal/processes/`` keeps id, pid, kind, command, log file, start time and, once it
ends, the exit code, so ``ilab process list`` can tell running from finished even after the
terminal that started it is gone.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from instructlab.config import paths
from instructlab.errors import FileError, ProcessNotFound, ServerError, file_error
from instructlab.fileio import atomic_write_text

__all__ = [
    "ProcessRecord",
    "follow",
    "get",
    "launch",
    "list_processes",
    "processes_dir",
    "prune",
    "stop",
    "wait_exit",
]


def processes_dir() -> Path:
    """Where process records live."""
    return paths.internal_dir() / "processes"


def logs_dir() -> Path:
    """Where detached processes write their output."""
    return paths.data_dir() / "logs"


@dataclass
class ProcessRecord:
    """One tracked background process."""

    id: str
    kind: str
    pid: int
    command: list[str]
    log_file: str
    started: str
    exit_code: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        """``running``, ``done`` (exit 0), ``failed`` (other exit code), ``gone`` (vanished), or
        ``damaged`` (its record could not be read: removing or pruning it forgets it)."""
        if self.extra.get("damaged"):
            return "damaged"
        if self.exit_code is not None:
            return "done" if self.exit_code == 0 else "failed"
        if self.pid <= 0:
            return "starting"
        return "running" if pid_alive(self.pid) else "gone"

    def to_dict(self) -> dict[str, Any]:
        """The record with its state, as the SDK returns it."""
        data = asdict(self)
        data["state"] = self.state
        return data


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as ended.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def wait_exit(pid: int, seconds: float) -> bool:
    """Waits up to ``seconds`` for process ``pid`` to end; whether it did."""
    deadline = time.monotonic() + seconds
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _path(process_id: str) -> Path:
    return processes_dir() / f"{process_id}.json"


def _write(record: ProcessRecord) -> None:
    atomic_write_text(_path(record.id), json.dumps(asdict(record), indent=2))


#: The type of every field of a record on disk.
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "kind": str,
    "pid": int,
    "command": list,
    "log_file": str,
    "started": str,
    "exit_code": (int, type(None)),
    "extra": dict,
}


def _read(path: Path) -> ProcessRecord | None:
    """The record in ``path``; a record that cannot be read (damaged, edited by hand, written by
    another version) comes back as a ``damaged`` record, so it can be seen and removed."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None  # removed meanwhile
    except (OSError, ValueError) as exc:
        return _damaged(path, f"not readable JSON ({exc})")
    if not isinstance(data, dict):
        return _damaged(path, "not a JSON object")
    for name, kind in _FIELDS.items():
        value = data.get(name, None if name in ("exit_code", "extra") else ...)
        if name == "extra" and value is None:
            continue
        if value is ... or isinstance(value, bool) or not isinstance(value, kind):
            return _damaged(path, f"field '{name}' is {value!r}, not a {_kind_name(kind)}")
    if not all(isinstance(word, str) for word in data["command"]):
        return _damaged(path, "field 'command' is not a list of strings")
    known = {k: v for k, v in data.items() if k in _FIELDS}
    return ProcessRecord(**known)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


def _damaged(path: Path, reason: str) -> ProcessRecord:
    return ProcessRecord(
        id=path.stem,
        kind="?",
        pid=0,
        command=[],
        log_file="",
        started="",
        extra={"damaged": reason, "record_file": str(path)},
    )


def list_processes() -> list[ProcessRecord]:
    """Every tracked process, oldest first."""
    directory = processes_dir()
    if not directory.is_dir():
        return []
    records = [r for p in directory.glob("*.json") if (r := _read(p)) is not None]
    return sorted(records, key=lambda r: r.started)


def get(process_id: str) -> ProcessRecord:
    """The record with this id (or a unique prefix of it)."""
    exact = _read(_path(process_id)) if process_id else None
    if exact is not None:
        return exact
    matches = [r for r in list_processes() if r.id.startswith(process_id)] if process_id else []
    if len(matches) != 1:
        raise ProcessNotFound(process_id)
    return matches[0]


def record_pid(process_id: str, pid: int) -> None:
    """Called by the supervisor once it has forked: the pid to watch."""
    record = _read(_path(process_id))
    if record is not None:
        record.pid = pid
        _write(record)


def record_exit(process_id: str, code: int) -> None:
    """Called by the supervisor when its child ends."""
    record = _read(_path(process_id))
    if record is not None:
        record.exit_code = code
        _write(record)


def launch(
    argv: list[str],
    kind: str,
    *,
    env: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> ProcessRecord:
    """Starts ``argv`` detached under the supervisor and records it."""
    process_id = uuid.uuid4().hex[:8]
    log_dir = logs_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_file = log_dir / f"{kind}-{stamp}-{process_id}.log"
    record = ProcessRecord(
        id=process_id,
        kind=kind,
        pid=0,
        command=list(argv),
        log_file=str(log_file),
        started=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        extra=dict(extra or {}),
    )
    _write(record)
    supervisor = [
        sys.executable,
        "-m",
        "instructlab.system.jobs.supervise",
        process_id,
        str(log_file),
    ]
    started = subprocess.run(
        [*supervisor, "--", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    try:
        record.pid = int(started.stdout.strip())
    except ValueError:
        _path(process_id).unlink(missing_ok=True)
        raise ServerError(
            f"could not start a background process: {started.stderr.strip()}"
        ) from None
    return record


def stop(process_id: str, grace: float = 10.0) -> ProcessRecord:
    """Stops a process (SIGTERM to its session, SIGKILL after ``grace`` s) and forgets it."""
    record = get(process_id)
    if record.state == "running":  # never for a damaged record: its pid cannot be trusted
        _signal_group(record.pid, signal.SIGTERM)
        if not wait_exit(record.pid, grace):
            _signal_group(record.pid, signal.SIGKILL)
    _path(record.id).unlink(missing_ok=True)
    return record


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def prune() -> list[str]:
    """Forgets processes that are no longer running; returns their ids."""
    gone = [r for r in list_processes() if r.state != "running"]
    for record in gone:
        _path(record.id).unlink(missing_ok=True)
    return [r.id for r in gone]


def follow(process_id: str, poll: float = 0.2, from_start: bool = True) -> Iterator[str]:
    """The process's log, line by line, until the process ends (the caller may stop early)."""
    record = get(process_id)
    if record.state == "damaged":
        raise FileError(
            record.extra["record_file"],
            f"the record of process {record.id} is damaged ({record.extra['damaged']}); "
            f"`ilab process remove {record.id}` forgets it",
        )
    path = Path(record.log_file)
    try:
        handle = path.open("r", encoding="utf-8", errors="replace")
    except OSError as exc:
        error = file_error(path, exc)
        raise FileError(
            error.location.file,
            f"the log of process {record.id} ({record.state}): {error.reason}",
        ) from None
    with handle:
        if not from_start:
            handle.seek(0, os.SEEK_END)
        pending = ""
        while True:
            chunk = handle.readline()
            if chunk:
                pending += chunk
                if pending.endswith("\n"):
                    yield pending
                    pending = ""
                continue
            if not pid_alive(record.pid):
                rest = handle.read()
                if pending or rest:
                    yield pending + rest
                return
            time.sleep(poll)
