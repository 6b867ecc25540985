"""The options and the run of ``ilab model evaluate --benchmark mmlu|mmlu_branch``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

#: The benchmarks this module runs.
BENCHMARKS = ("mmlu", "mmlu_branch")


def options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options only the knowledge benchmarks read (decorators applied to the command)."""
    return command


def run(ctx: click.Context, benchmark: str, model: str | None, given: dict[str, Any]) -> None:
    """Runs one knowledge benchmark with the options given (by their parameter names)."""
    from instructlab.cli.model._sdk import sdk

    if benchmark == "mmlu":
        sdk(ctx).evaluate_mmlu_bench(model)
    else:
        sdk(ctx).evaluate_mmlu_branch(model)
