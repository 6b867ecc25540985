"""A run's folder and identity: which unfinished run the same command continues.

A run's identity is a digest of its inputs: the keys of its shards (computed with the teacher
model asked for, before any request: see :mod:`instructlab.sdg.shard`) and the system prompt
mixing gives the data. A run lives in ``OUTPUT_DIR/runs/<suffix>_<identity[:8]>/`` with its
``run.json``: the identity, the output files' suffix, the status (``running``, ``done``,
``incomplete`` with ``failed_leaves``, ``failed`` with ``error``, ``interrupted``), the
pipeline and the process id, replaced whole on every change.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.fileio import atomic_write_text

__all__ = ["RUNS_FOLDER", "RunFolder", "open_run", "run_identity"]

#: The engine's working folder inside the data sets folder (one folder per run).
RUNS_FOLDER = "runs"


def run_identity(shard_keys: Sequence[str], system_prompt: str | None) -> str:
    """The identity of a run of these shards whose data gets ``system_prompt``."""
    text = json.dumps({"shards": list(shard_keys), "system_prompt": system_prompt})
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class RunFolder:
    """A run's folder, its output suffix, whether it continues an earlier run, and its
    ``run.json`` (see the module)."""

    path: Path
    suffix: str
    resumed: bool
    meta: dict[str, Any] = field(default_factory=dict)

    def _write(self) -> None:
        atomic_write_text(self.path / "run.json", json.dumps(self.meta, indent=1))

    def failed(self, exc: BaseException) -> None:
        """Says in ``run.json`` that the run stopped on ``exc`` (``interrupted`` for Ctrl-C or a
        cancel); the same command still continues it."""
        interrupted = isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError))
        self.meta["status"] = "interrupted" if interrupted else "failed"
        if not interrupted:
            self.meta["error"] = str(exc) or type(exc).__name__
        self._write()

    def finished(self, failed_leaves: Sequence[str]) -> None:
        """Says the run is done, or (with ``failed_leaves``) incomplete: the same command then
        continues it, re-sending only what was never answered."""
        self.meta["status"] = "incomplete" if failed_leaves else "done"
        self.meta["failed_leaves"] = list(failed_leaves)
        self.meta.pop("error", None)
        self._write()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def open_run(runs_dir: Path, identity: str, new_run: bool, pipeline: str) -> RunFolder:
    """The unfinished run with this identity (continued), or a new run folder; either way
    marked ``running`` by this process."""
    found: RunFolder | None = None
    if not new_run and runs_dir.is_dir():
        # Newest first by the time each run last wrote its status: two runs started in one
        # second have names (T_2, T) that do not sort by age.
        for meta in sorted(runs_dir.glob("*/run.json"), key=_mtime, reverse=True):
            try:
                info = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if info.get("identity") == identity and info.get("status") != "done":
                found = RunFolder(meta.parent, str(info["suffix"]), True)
                break
    if found is None:
        stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H_%M_%S")
        suffix, count = stamp, 1
        while (runs_dir / f"{suffix}_{identity[:8]}").exists():
            count += 1  # two runs in one second: never share a folder (or its caches)
            suffix = f"{stamp}_{count}"
        found = RunFolder(runs_dir / f"{suffix}_{identity[:8]}", suffix, False)
    found.path.mkdir(parents=True, exist_ok=True)
    found.meta = {
        "identity": identity,
        "suffix": found.suffix,
        "status": "running",
        "pipeline": pipeline,
        "pid": os.getpid(),
    }
    found._write()
    return found
