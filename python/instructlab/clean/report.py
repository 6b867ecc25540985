"""What a cleaning step removed and why: counts per reason and a few examples of each."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from instructlab.fileio import atomic_write_text

#: Examples kept per reason in a report.
EXAMPLES_PER_REASON = 3


@dataclass
class CleanReport:
    """The outcome of one cleaning step over one input."""

    step: str
    source: str
    input_rows: int
    kept_rows: int
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def dropped_rows(self) -> int:
        """Rows removed."""
        return self.input_rows - self.kept_rows

    def add_example(self, reason: str, example: dict[str, Any]) -> None:
        """Records ``example`` under ``reason`` unless it already has enough."""
        bucket = self.examples.setdefault(reason, [])
        if len(bucket) < EXAMPLES_PER_REASON:
            bucket.append(example)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self) | {"dropped_rows": self.dropped_rows}

    def write(self, path: Path) -> None:
        """Writes the report as JSON."""
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")


@dataclass
class CleanResult:
    """The kept rows (in the input's own form), the keep mask and the report."""

    kept: Any
    keep: Any
    report: CleanReport
    output: Path | None = None
    report_path: Path | None = None
