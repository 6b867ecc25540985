"""The options and the run of ``ilab model evaluate --benchmark mt_bench|mt_bench_branch|
dk_bench``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

#: The benchmarks this module runs.
BENCHMARKS = ("mt_bench", "mt_bench_branch", "dk_bench")


def options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options only the skills benchmarks read (decorators applied to the command)."""
    return command


def run(ctx: click.Context, benchmark: str, model: str | None, given: dict[str, Any]) -> None:
    """Runs one skills benchmark with the options given (by their parameter names)."""
    from instructlab.cli.model._sdk import sdk

    getattr(sdk(ctx), f"evaluate_{benchmark}")(model)
