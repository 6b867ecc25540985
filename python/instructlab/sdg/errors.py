"""The errors of the SDG engine, all rooted at :class:`~instructlab.errors.InstructLabError`."""

from __future__ import annotations

from dataclasses import dataclass

from instructlab.errors import InstructLabError, RequestFailed, UsageError

__all__ = [
    "BlockConfigParserError",
    "GenerateException",
    "GenerateUsageError",
    "PipelineConfigParserError",
    "PipelineProblem",
    "RequestFailed",
]


class GenerateException(InstructLabError):
    """Generation could not run or produced no usable data.

    (The name instructlab-sdg users import.)
    """


class GenerateUsageError(GenerateException, UsageError):
    """Generation was asked for with an option that cannot work (an unknown pipeline, model
    family or model id); ``param`` names the option. Exit code 2, as every usage error."""


class BlockConfigParserError(GenerateException):
    """A block's configuration is invalid."""


@dataclass(frozen=True)
class PipelineProblem:
    """One problem found while checking a pipeline file."""

    file: str
    block: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.block}]" if self.block else self.file
        return f"{where}: {self.message}"


class PipelineConfigParserError(GenerateException):
    """A pipeline file is invalid; ``problems`` lists every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[PipelineProblem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the pipeline has {len(problems)} {noun}:\n{lines}")
