"""What a generation run returns: :class:`GenerateResult`, or for a dry run its
:class:`DryRunEstimate`; :class:`GenerationIncomplete` when a leaf yields no training rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from instructlab.sdg.errors import GenerateException
from instructlab.sdg.report import RunReport
from instructlab.sdg.runmix import MixOutputs

__all__ = [
    "ASSUMED_SEQUENCES_PER_SECOND",
    "DryRunEstimate",
    "GenerateResult",
    "GenerationIncomplete",
    "LeafEstimate",
]

#: What ``--dry-run`` assumes the teacher generates per second when estimating time.
ASSUMED_SEQUENCES_PER_SECOND = 4.0


@dataclass(frozen=True)
class LeafEstimate:
    """One leaf's share of a dry run's estimate."""

    seed_rows: int
    requests: int
    sequences: int


@dataclass
class DryRunEstimate:
    """What a run would send, at most (filters assumed to keep everything)."""

    leaves: int
    seed_rows: int
    requests: int
    sequences: int
    seconds: float
    assumed_sequences_per_second: float = ASSUMED_SEQUENCES_PER_SECOND
    #: By leaf name in the run (``#mmlu_branch`` for a knowledge leaf's MMLU-branch data).
    per_leaf: dict[str, LeafEstimate] = field(default_factory=dict)


@dataclass
class GenerateResult:
    """What a run produced: its folder, report and mixed outputs; a dry run has only its
    ``estimate`` (and no folder)."""

    run_dir: Path | None
    report: RunReport | None = None
    outputs: MixOutputs | None = None
    estimate: DryRunEstimate | None = None
    resumed: bool = False
    #: The pipeline directory used.
    pipeline: str = ""

    @property
    def ok(self) -> bool:
        """False when a leaf yielded no training rows."""
        return self.report is None or self.report.ok


class GenerationIncomplete(GenerateException):
    """Some leaves yielded no training rows; ``result`` holds everything else."""

    def __init__(self, result: GenerateResult) -> None:
        assert result.report is not None
        failed = ", ".join(leaf.leaf for leaf in result.report.failed_leaves)
        super().__init__(
            f"{len(result.report.failed_leaves)} leaves yielded no training rows: {failed} "
            f"(see {result.run_dir}/report.json)"
        )
        self.result = result
