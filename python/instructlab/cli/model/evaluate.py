"""``ilab model evaluate``."""

from __future__ import annotations

import click

from instructlab.cli.model._sdk import sdk

BENCHMARKS = ("mmlu", "mmlu_branch", "mt_bench", "mt_bench_branch", "dk_bench")


@click.command()
@click.option("--benchmark", type=click.Choice(BENCHMARKS), required=True)
@click.option("--model", show_default=True)
@click.pass_context
def evaluate(ctx: click.Context, benchmark: str, model: str | None) -> None:
    """Evaluate a model on a benchmark."""
    getattr(sdk(ctx), f"evaluate_{benchmark}" + ("_bench" if benchmark == "mmlu" else ""))(model)
