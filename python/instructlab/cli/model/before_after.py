"""``ilab model test``: the base and the trained model's answers, side by side."""

from __future__ import annotations

import json
from pathlib import Path

import click

from instructlab.cli._common import POSITIVE
from instructlab.cli.model._sdk import sdk


@click.command("test")
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    help="The trained model: a checkpoint folder or a GGUF file (default: the newest checkpoint).",
)
@click.option(
    "--base-model", help="The model it was trained from (default: as the checkpoint says)."
)
@click.option(
    "--test-file",
    "--data-path",
    "test_file",
    type=click.Path(path_type=Path),
    help="JSONL test questions (default: the newest SDG run's test file, else the taxonomy).",
)
@click.option(
    "--taxonomy-path", type=click.Path(path_type=Path), help="Taxonomy for seed questions."
)
@click.option("--taxonomy-base", help="Git ref the changed leaves are found against.")
@click.option("--max-tokens", type=POSITIVE, default=256, show_default=True)
@click.option("--system-prompt", help="System prompt for both models.")
@click.option("--limit", type=POSITIVE, help="Ask only the first N questions.")
@click.option(
    "--quantize",
    is_flag=True,
    help="Serve both as Q4_K_M GGUF files through llama.cpp (converted as needed).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def test(
    ctx: click.Context,
    model_dir: Path | None,
    base_model: str | None,
    test_file: Path | None,
    taxonomy_path: Path | None,
    taxonomy_base: str | None,
    max_tokens: int,
    system_prompt: str | None,
    limit: int | None,
    quantize: bool,
    fmt: str,
) -> None:
    """Answer the test questions with the base and the trained model, side by side."""
    result = sdk(ctx).test(
        model_dir,
        base_model,
        test_file=test_file,
        taxonomy_path=taxonomy_path,
        taxonomy_base=taxonomy_base,
        max_tokens=max_tokens,
        system_prompt=system_prompt,
        limit=limit,
        quantize=quantize,
        on_status=lambda message: click.echo(message, err=True),
    )
    if fmt == "json":
        rows = [
            {
                "question": r.question.user,
                "reference": r.question.reference,
                "base": r.base_answer,
                "trained": r.trained_answer,
            }
            for r in result.rows
        ]
        payload = {
            "model": str(result.model),
            "base_model": result.base_model,
            "backend": result.backend,
            "precision": result.precision,
            "questions_from": result.source,
            "rows": rows,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "Question",
        f"Before: {result.base_model}",
        f"After: {result.model}",
        show_lines=True,
        title=f"Served with {result.backend} ({result.precision}); questions from {result.source}",
    )
    for row in result.rows:
        table.add_row(row.question.user, row.base_answer, row.trained_answer)
    Console(soft_wrap=False).print(table)
