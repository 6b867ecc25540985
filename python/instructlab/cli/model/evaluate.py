"""``ilab model evaluate``: one command for every benchmark.

The options every benchmark reads are here; the knowledge benchmarks' own options and their run
live in ``evaluate_knowledge.py``, the skills benchmarks' in ``evaluate_skills.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from instructlab.cli._common import ENDPOINT_URL, NON_NEGATIVE, detached_option
from instructlab.cli.model import evaluate_knowledge, evaluate_skills

BENCHMARKS = evaluate_knowledge.BENCHMARKS + evaluate_skills.BENCHMARKS


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every benchmark reads (decorators applied to the command)."""
    for option in reversed(
        [
            click.option("--base-model", help="Model to compare against (branch benchmarks)."),
            click.option("--branch", help="Taxonomy branch with the new knowledge or skills."),
            click.option("--base-branch", help="Taxonomy branch to compare against."),
            click.option(
                "--output-dir",
                type=click.Path(file_okay=False, path_type=Path),
                help="Where results are written (default: the benchmark's in the config).",
            ),
            click.option("--gpus", type=NON_NEGATIVE, help="GPUs for models served with vLLM."),
            click.option(
                "--backend",
                type=click.Choice(["llama-cpp", "vllm", "transformers"]),
                help="Serving backend for the evaluated models (default: from the model).",
            ),
            click.option("--system-prompt", help="System prompt for the evaluated model."),
            click.option(
                "--temperature",
                type=click.FloatRange(0, 2),
                help="Answering temperature (default: the benchmark's).",
            ),
            click.option(
                "--enable-serving-output", is_flag=True, help="Show served models' logs live."
            ),
            click.option(
                "--endpoint-url",
                type=ENDPOINT_URL,
                help="Endpoint serving the evaluated model(s); --model/--base-model are the "
                "names sent (default: serve them here).",
            ),
            click.option(
                "--api-key", envvar="ILAB_EVALUATE_API_KEY", help="API key for --endpoint-url."
            ),
            click.option(
                "--format",
                "output_format",
                type=click.Choice(["text", "json"]),
                default="text",
                show_default=True,
                help="Report as text or JSON.",
            ),
            detached_option,
        ]
    ):
        command = option(command)
    return command


@click.command()
@click.option("--benchmark", type=click.Choice(BENCHMARKS), required=True)
@click.option("--model", show_default=True, help="Model to evaluate (default: from config).")
@common_options
@evaluate_knowledge.options
@evaluate_skills.options
@click.pass_context
def evaluate(ctx: click.Context, /, benchmark: str, model: str | None, **given: Any) -> None:
    """Evaluate a model on a benchmark."""
    if benchmark in evaluate_knowledge.BENCHMARKS:
        evaluate_knowledge.run(ctx, benchmark, model, given)
    else:
        evaluate_skills.run(ctx, benchmark, model, given)
