"""The run report: rows in and out per leaf and block, drops by reason, requests, tokens, time.

Plain records, written to ``report.json``; how they are shown is the CLI's business
(``instructlab.cli._generate``). A report is put together from the events of the run's shards
(:mod:`instructlab.sdg.events`), never from the counters a shard updates while it runs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.fileio import atomic_write_text

if TYPE_CHECKING:
    from instructlab.sdg.mixclean import MixCleaning

__all__ = ["BlockReport", "LeafReport", "RunReport", "TeacherReport"]


@dataclass(frozen=True)
class BlockReport:
    """One block's counters in one shard (or, summed, one leaf): rows in and out, rows in
    progress (``active``, 0 once finished), drops and faults by reason, requests and tokens."""

    name: str
    type: str
    rows_in: int = 0
    rows_out: int = 0
    active: int = 0
    drops: Mapping[str, int] = field(default_factory=dict)
    faults: Mapping[str, int] = field(default_factory=dict)
    calls: int = 0
    cached_samples: int = 0
    sent_samples: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "block": self.name,
            "type": self.type,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "drops": dict(self.drops),
            "faults": dict(self.faults),
            "llm_calls": self.calls,
            "cached_samples": self.cached_samples,
            "sent_samples": self.sent_samples,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BlockReport:
        """The counters :meth:`as_dict` wrote (KeyError/TypeError/ValueError when not)."""
        return cls(
            str(d["block"]),
            str(d["type"]),
            int(d["rows_in"]),
            int(d["rows_out"]),
            0,
            {str(k): int(v) for k, v in dict(d.get("drops", {})).items()},
            {str(k): int(v) for k, v in dict(d.get("faults", {})).items()},
            int(d.get("llm_calls", 0)),
            int(d.get("cached_samples", 0)),
            int(d.get("sent_samples", 0)),
            int(d.get("prompt_tokens", 0)),
            int(d.get("completion_tokens", 0)),
        )

    def __add__(self, other: BlockReport) -> BlockReport:
        """The counters of two shards of one leaf, summed."""
        return replace(
            self,
            rows_in=self.rows_in + other.rows_in,
            rows_out=self.rows_out + other.rows_out,
            active=self.active + other.active,
            drops=dict(Counter(self.drops) + Counter(other.drops)),
            faults=dict(Counter(self.faults) + Counter(other.faults)),
            calls=self.calls + other.calls,
            cached_samples=self.cached_samples + other.cached_samples,
            sent_samples=self.sent_samples + other.sent_samples,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


def sum_blocks(shards: Iterable[Iterable[BlockReport]]) -> list[BlockReport]:
    """Per block, the counters of several shards of one pipeline, summed (block order kept)."""
    total: dict[str, BlockReport] = {}
    for blocks in shards:
        for b in blocks:
            total[b.name] = total[b.name] + b if b.name in total else b
    return list(total.values())


@dataclass(frozen=True)
class TeacherReport:
    """What the teacher client did: requests, retries, errors, tokens, and for a live view the
    requests in flight and the limiter's limit."""

    requests: int = 0
    retries: int = 0
    errors: int = 0
    throttled: int = 0
    timeouts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sequences: int = 0
    #: From the first request to the last reply.
    generating_seconds: float = 0.0
    inflight: int = 0
    limit: float = 0.0
    peak_limit: float = 0.0


@dataclass
class LeafReport:
    """One leaf: seed rows in, generated rows out, and each block's counters (summed over the
    leaf's shards); ``outputs`` are the shards' row files."""

    leaf: str
    kind: str
    pipeline: str
    rows_in: int
    rows_out: int = 0
    blocks: list[BlockReport] = field(default_factory=list)
    resumed: bool = False
    error: str | None = None
    outputs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (``output``: the one row file of a leaf run as one shard)."""
        return {
            "leaf": self.leaf,
            "kind": self.kind,
            "pipeline": self.pipeline,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "resumed": self.resumed,
            "error": self.error,
            "output": self.outputs[0] if len(self.outputs) == 1 else None,
            "outputs": list(self.outputs),
            "blocks": [b.as_dict() for b in self.blocks],
        }


@dataclass
class RunReport:
    """The whole run."""

    run_dir: str
    leaves: list[LeafReport] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    errors: int = 0
    throttled: int = 0
    timeouts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sequences: int = 0
    cached_samples: int = 0
    seconds: float = 0.0
    generating_seconds: float = 0.0
    peak_concurrency: float = 0.0
    #: What mixing removed from each training set, and why (set once the run is mixed).
    mixing: dict[str, MixCleaning] = field(default_factory=dict)

    @property
    def failed_leaves(self) -> list[LeafReport]:
        """Leaves that yielded no training rows (an error for the run)."""
        return [leaf for leaf in self.leaves if leaf.rows_out == 0 or leaf.error]

    @property
    def ok(self) -> bool:
        """True when every leaf yielded rows."""
        return not self.failed_leaves

    @property
    def drops(self) -> Counter[str]:
        """Rows dropped on purpose, by reason, over all leaves."""
        total: Counter[str] = Counter()
        for leaf in self.leaves:
            for b in leaf.blocks:
                total.update({f"{b.name}: {k}": v for k, v in b.drops.items()})
        return total

    @property
    def faults(self) -> Counter[str]:
        """Faults (skipped rows) by reason, over all leaves."""
        total: Counter[str] = Counter()
        for leaf in self.leaves:
            for b in leaf.blocks:
                total.update({f"{b.name}: {k}": v for k, v in b.faults.items()})
        return total

    def add_teacher(self, teacher: TeacherReport) -> None:
        """Takes the teacher client's counters."""
        self.requests += teacher.requests
        self.retries += teacher.retries
        self.errors += teacher.errors
        self.throttled += teacher.throttled
        self.timeouts += teacher.timeouts
        self.prompt_tokens += teacher.prompt_tokens
        self.completion_tokens += teacher.completion_tokens
        self.sequences += teacher.sequences
        self.generating_seconds += teacher.generating_seconds
        self.peak_concurrency = max(self.peak_concurrency, teacher.peak_limit)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "run_dir": self.run_dir,
            "ok": self.ok,
            "requests": self.requests,
            "retries": self.retries,
            "errors": self.errors,
            "throttled": self.throttled,
            "timeouts": self.timeouts,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "sequences": self.sequences,
            "cached_samples": self.cached_samples,
            "seconds": round(self.seconds, 3),
            "generating_seconds": round(self.generating_seconds, 3),
            "peak_concurrency": self.peak_concurrency,
            "drops": dict(self.drops),
            "faults": dict(self.faults),
            "leaves": [leaf.as_dict() for leaf in self.leaves],
            "mix_removed": self._mix_removed(),
        }

    def _mix_removed(self) -> dict[str, Any]:
        if not self.mixing:
            return {}
        from instructlab.sdg.mixclean import REASONS

        reasons = {r for cleaning in self.mixing.values() for r in cleaning.removed}
        return {
            "reasons": {r: REASONS.get(r, r) for r in sorted(reasons)},
            "training_sets": {name: c.as_dict() for name, c in self.mixing.items()},
        }

    def write(self, path: str | Path) -> None:
        """Writes the report as JSON."""
        atomic_write_text(path, json.dumps(self.as_dict(), indent=2) + "\n")
