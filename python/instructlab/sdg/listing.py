"""What generation left in the data sets folder: runs, their files and row counts.

A run is either a folder under the data sets folder holding data files (the engine writes each
run into a folder of its own), or, for InstructLab-style flat output, the files sharing one
timestamp suffix (``..._2024-10-01T12_00_00.jsonl`` and ``node_datasets_2024-10-01T12_00_00/``).

The engine keeps each run's state in ``runs/<suffix>_<id>/run.json``; a run's status comes from
there: ``done``, ``failed`` (with the leaves that yielded no training rows, or the error that
stopped it), ``interrupted`` (killed or stopped; the same command continues it), ``running``, or
``unknown`` for output this engine did not write.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from instructlab.fileio import count_jsonl_rows
from instructlab.sdg.rundir import RUNS_FOLDER
from instructlab.sdg.shard import SHARDS_FOLDER
from instructlab.system.jobs import pid_alive

#: Files that count as data.
DATA_SUFFIXES = (".jsonl", ".yaml", ".json")
_SUFFIX = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2}(?:_\d+)?)")


@dataclass(frozen=True)
class DataFile:
    """One data file of a run; ``rows`` is None for files that are not JSON lines."""

    path: Path
    rows: int | None
    size: int


@dataclass(frozen=True)
class RunStatus:
    """What ``run.json`` says of a run: ``state``, the leaves that yielded no training rows,
    the error that stopped it, and the run's working folder."""

    state: str = "unknown"
    failed_leaves: tuple[str, ...] = ()
    error: str | None = None
    run_dir: Path | None = None


@dataclass(frozen=True)
class DataRun:
    """A generation run: its name, where it lives, when it was last written, its files, and its
    status (``done``, ``failed``, ``interrupted``, ``running`` or ``unknown``)."""

    name: str
    path: Path
    modified: datetime
    files: tuple[DataFile, ...]
    status: RunStatus = RunStatus()

    @property
    def rows(self) -> int:
        """Rows over all JSON-lines files."""
        return sum(f.rows or 0 for f in self.files)


def _data_file(path: Path) -> DataFile:
    rows = count_jsonl_rows(path) if path.suffix == ".jsonl" else None
    return DataFile(path, rows, path.stat().st_size)


def _data_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in DATA_SUFFIXES and not p.name.startswith(".")
    )


def _run(name: str, where: Path, files: list[Path], status: RunStatus | None = None) -> DataRun:
    stamp = max(f.stat().st_mtime for f in files)
    modified = datetime.fromtimestamp(stamp, tz=timezone.utc)
    return DataRun(
        name, where, modified, tuple(_data_file(f) for f in files), status or RunStatus()
    )


def read_status(run_dir: Path) -> RunStatus | None:
    """The status in ``run_dir/run.json`` (None when it is missing or unreadable)."""
    try:
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    state = str(meta.get("status", "unknown"))
    failed = tuple(str(leaf) for leaf in meta.get("failed_leaves") or ())
    if state == "incomplete":
        state = "failed"
        if not failed:
            failed = _failed_in_report(run_dir)
    elif state == "running" and not _process_alive(meta.get("pid")):
        state = "interrupted"  # killed: nothing marked it done
    error = meta.get("error")
    return RunStatus(state, failed, None if error is None else str(error), run_dir)


def _failed_in_report(run_dir: Path) -> tuple[str, ...]:
    try:
        report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
        leaves = report["leaves"]
        return tuple(str(x["leaf"]) for x in leaves if not x.get("rows_out") or x.get("error"))
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def _engine_runs(root: Path) -> dict[str, RunStatus]:
    """Status of every run in ``root/runs``, by its output suffix."""
    found: dict[str, RunStatus] = {}
    folder = root / RUNS_FOLDER
    if not folder.is_dir():
        return found
    for run_dir in sorted(folder.iterdir()):
        if not (run_dir / "run.json").is_file():
            continue
        status = read_status(run_dir)
        try:
            suffix = str(json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["suffix"])
        except (OSError, ValueError, KeyError, TypeError):
            status, suffix = None, run_dir.name
        if status is None:  # listed, not hidden: the user may want to remove or repair it
            problem = f"{run_dir / 'run.json'} is damaged"
            status = RunStatus("damaged", (), problem, run_dir)
        found[suffix] = status
    return found


def list_runs(output_dir: str | Path) -> list[DataRun]:
    """The runs found under ``output_dir``, newest first (an absent folder has none)."""
    root = Path(output_dir)
    if not root.is_dir():
        return []
    flat: dict[str, list[Path]] = {}
    runs: list[DataRun] = []
    engine = _engine_runs(root)
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.name == RUNS_FOLDER and engine:
            continue
        stamp = _SUFFIX.search(entry.name)
        if entry.is_dir() and not stamp:
            files = _data_files(entry)
            if files:
                runs.append(_run(entry.name, entry, files))
            continue
        if entry.is_dir():
            flat.setdefault(stamp.group(1) if stamp else "", []).extend(_data_files(entry))
        elif entry.suffix in DATA_SUFFIXES:
            flat.setdefault(stamp.group(1) if stamp else "", []).append(entry)
    for name, files in flat.items():
        if files:
            runs.append(_run(name or "(unsorted)", root, sorted(files), engine.pop(name, None)))
    for name, status in engine.items():
        # Stopped before mixing: what the shards generated so far is in the run's folder.
        if status.run_dir is None:
            continue
        files = sorted((status.run_dir / SHARDS_FOLDER).glob("*/rows.jsonl"))
        files = files or [status.run_dir / "run.json"]
        runs.append(_run(name, status.run_dir, files, status))
    return sorted(runs, key=lambda r: (r.modified, r.name), reverse=True)


def _process_alive(pid: object) -> bool:
    """Whether the pid a run recorded (any JSON value) names a live process."""
    return isinstance(pid, int) and pid_alive(pid)
