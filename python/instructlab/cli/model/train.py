"""``ilab model train``."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import POSITIVE, detached_option
from instructlab.cli.model._sdk import sdk


@click.command()
@click.option("--data-path", type=click.Path(path_type=Path), show_default=True)
@click.option("--model-path", show_default=True)
@click.option("--pipeline", type=click.Choice(["simple", "full", "accelerated"]), show_default=True)
@click.option("--device", type=click.Choice(["cpu", "cuda", "mps", "hpu"]), show_default=True)
@click.option("--num-epochs", type=POSITIVE, show_default=True)
@click.option("--effective-batch-size", type=POSITIVE, show_default=True)
@click.option("--max-seq-len", type=POSITIVE, show_default=True)
@click.option("--max-batch-len", type=POSITIVE, show_default=True)
@click.option("--ckpt-output-dir", type=click.Path(path_type=Path), show_default=True)
@detached_option
@click.pass_context
def train(
    ctx: click.Context,
    data_path: Path | None,
    model_path: str | None,
    pipeline: str | None,
    device: str | None,
    num_epochs: int | None,
    effective_batch_size: int | None,
    max_seq_len: int | None,
    max_batch_len: int | None,
    ckpt_output_dir: Path | None,
    detached: bool,
) -> None:
    """Fine-tune the student model on generated data."""
    sdk(ctx, model_path).train_model(data_path, pipeline)
