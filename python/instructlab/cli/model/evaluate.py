"""``ilab model evaluate``: one command for every benchmark.

The options every benchmark reads are here; the knowledge benchmarks' own options and their run
live in ``evaluate_knowledge.py``, the skills benchmarks' in ``evaluate_skills.py``.
"""

from __future__ import annotations

from typing import Any

import click

from instructlab.cli.model import evaluate_knowledge, evaluate_skills

BENCHMARKS = evaluate_knowledge.BENCHMARKS + evaluate_skills.BENCHMARKS


@click.command()
@click.option("--benchmark", type=click.Choice(BENCHMARKS), required=True)
@click.option("--model", show_default=True, help="Model to evaluate (default: from config).")
@evaluate_knowledge.options
@evaluate_skills.options
@click.pass_context
def evaluate(ctx: click.Context, /, benchmark: str, model: str | None, **given: Any) -> None:
    """Evaluate a model on a benchmark."""
    if benchmark in evaluate_knowledge.BENCHMARKS:
        evaluate_knowledge.run(ctx, benchmark, model, given)
    else:
        evaluate_skills.run(ctx, benchmark, model, given)
