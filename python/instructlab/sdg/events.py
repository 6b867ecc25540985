"""What a run says while it runs: events from its shards and its teacher client.

Every event is a frozen record, so it can cross a process boundary (a shard run on another
machine sends the same events). A shard's counters belong to the shard; listeners (the live
view, the run report) see only the copies its events carry:

- :class:`ShardStarted` once a shard begins (not for a shard finished by an earlier run);
- :class:`ShardProgress` every little while as it runs (its blocks' counters so far);
- :class:`ShardFinished` when its rows are written (or found written by an earlier run);
- :class:`TeacherProgress` for the teacher client (requests, retries, tokens, in flight),
  every little while and once more, ``final``, when the shards are done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from instructlab.sdg.report import BlockReport, TeacherReport

__all__ = [
    "Emit",
    "GenerateEvent",
    "ShardFinished",
    "ShardProgress",
    "ShardStarted",
    "TeacherProgress",
]


@dataclass(frozen=True)
class ShardStarted:
    """A shard begins: its key, the leaf it belongs to (``name``), the leaf's kind, its seed
    rows and its pipeline's block names."""

    key: str
    name: str
    kind: str
    rows_in: int
    blocks: tuple[str, ...]


@dataclass(frozen=True)
class ShardProgress:
    """A running shard's block counters so far."""

    key: str
    blocks: tuple[BlockReport, ...]


@dataclass(frozen=True)
class ShardFinished:
    """A shard's rows are written: where (``output``), how many, and its block counters;
    ``resumed`` when an earlier run had finished it."""

    key: str
    name: str
    kind: str
    pipeline: str
    rows_in: int
    rows_out: int
    blocks: tuple[BlockReport, ...]
    output: Path
    resumed: bool = False


@dataclass(frozen=True)
class TeacherProgress:
    """The teacher client's counters; ``final`` once every shard is done."""

    teacher: TeacherReport
    final: bool = False


#: Anything a run reports.
GenerateEvent: TypeAlias = ShardStarted | ShardProgress | ShardFinished | TeacherProgress
#: Where events go.
Emit: TypeAlias = Callable[[GenerateEvent], None]
