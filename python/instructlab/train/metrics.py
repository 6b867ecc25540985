"""``metrics.jsonl``: one JSON line per optimizer step.

Field names are instructlab-training's where it has one (``epoch``, ``step``, ``rank``,
``overall_throughput`` (samples per second), ``lr``, ``cuda_mem_allocated``,
``cuda_malloc_retries``, ``num_loss_counted_tokens``, ``num_tokens_rank0``, ``batch_size``,
``total_loss``, ``samples_seen``, ``gradnorm``, ``total_samples``, ``timestamp``); ours are
``tokens_per_second`` (all tokens of the step's packed micro-batches per second of the step),
``learned_tokens``, ``step_seconds``, ``elapsed_seconds`` and ``rss_bytes``. ``epoch`` counts
from 0 and ``step`` from 1, as there.

The file is a log appended step by step; a resumed run first drops the lines of steps after the
state it resumes from (written before an interruption, then redone).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from instructlab.errors import file_error
from instructlab.fileio import atomic_write_text

__all__ = ["MetricsLog", "read_metrics"]


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The step lines of a metrics file (lines that do not parse are skipped: a crash may cut
    the last one)."""
    if not path.is_file():
        return []
    rows = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise file_error(path, exc) from None
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("step"), int):
            rows.append(row)
    return rows


class MetricsLog:
    """Appends step lines to ``metrics.jsonl``."""

    def __init__(self, path: Path, resume_after_step: int) -> None:
        self.path = path
        kept = [r for r in read_metrics(path) if r["step"] <= resume_after_step]
        self.rows: list[dict[str, Any]] = kept
        atomic_write_text(path, "".join(json.dumps(r) + "\n" for r in kept))
        try:
            self._handle: IO[str] = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise file_error(path, exc, "write") from None

    def write(self, row: dict[str, Any]) -> None:
        """One step's line (flushed: a detached run's metrics can be followed live)."""
        self.rows.append(row)
        try:
            self._handle.write(json.dumps(row) + "\n")
            self._handle.flush()
        except OSError as exc:
            raise file_error(self.path, exc, "write") from None

    def close(self) -> None:
        """Closes the file."""
        self._handle.close()
