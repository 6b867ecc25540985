"""``ilab model evaluate``: one command for every benchmark.

The options every benchmark reads are here; the knowledge benchmarks' own options and their run
live in ``evaluate_knowledge.py``, the skills benchmarks' in ``evaluate_skills.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from instructlab.cli._common import ENDPOINT_URL, NON_NEGATIVE
from instructlab.cli.model import evaluate_knowledge, evaluate_skills

BENCHMARKS = evaluate_knowledge.BENCHMARKS + evaluate_skills.BENCHMARKS


@click.command()
@click.option("--benchmark", type=click.Choice(BENCHMARKS), required=True)
@click.option("--model", show_default=True, help="Model to evaluate (default: from config).")
# -- options every benchmark reads (InstructLab's common ones) --
@click.option("--base-model", help="Model to compare with in branch benchmarks.")
@click.option("--branch", help="Taxonomy branch with the new knowledge or skills.")
@click.option("--base-branch", help="Taxonomy branch to compare against.")
@click.option("--output-dir", type=click.Path(path_type=Path), help="Where reports are written.")
@click.option("--gpus", type=NON_NEGATIVE, help="GPUs to use (vLLM).")
@click.option(
    "--backend",
    type=click.Choice(["llama-cpp", "vllm", "transformers"]),
    help="How the model runs (default: from the model: transformers for a folder, llama-cpp "
    "for a GGUF file).",
)
@click.option("--system-prompt", help="System prompt for the evaluated model.")
@click.option("--temperature", type=click.FloatRange(0.0, 1.0), help="Sampling temperature.")
@click.option("--enable-serving-output", is_flag=True, help="Show the model server's log.")
@click.option(
    "--endpoint-url", type=ENDPOINT_URL, help="Evaluate the model a running server serves."
)
@click.option("--api-key", envvar="ILAB_EVALUATE_API_KEY", help="API key of --endpoint-url.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format on stdout.",
)
# -- end of the common options --
@evaluate_knowledge.options
@evaluate_skills.options
@click.pass_context
def evaluate(ctx: click.Context, /, benchmark: str, model: str | None, **given: Any) -> None:
    """Evaluate a model on a benchmark."""
    if benchmark in evaluate_knowledge.BENCHMARKS:
        evaluate_knowledge.run(ctx, benchmark, model, given)
    else:
        evaluate_skills.run(ctx, benchmark, model, given)
