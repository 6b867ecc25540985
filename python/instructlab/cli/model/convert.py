"""``ilab model convert``."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli.model._sdk import sdk


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.pass_context
def convert(ctx: click.Context, model_dir: Path) -> None:
    """Convert a trained model (e.g. to GGUF)."""
    sdk(ctx).convert(model_dir)
