"""``ilab model process-data``."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import NON_NEGATIVE, POSITIVE
from instructlab.cli.model._sdk import sdk


@click.command("process-data")
@click.option("--data-path", type=click.Path(path_type=Path), show_default=True)
@click.option(
    "--model-path", show_default=True, help="Model folder, tokenizer.json or .gguf to prepare for."
)
@click.option("--max-seq-len", type=POSITIVE, show_default=True)
@click.option("--output-dir", type=click.Path(path_type=Path), show_default=True)
@click.option("--chat-template", help="A chat template (or a file holding one) to use instead.")
@click.option("--min-seq-len", type=NON_NEGATIVE, default=2, show_default=True)
@click.option("--force", is_flag=True, help="Redo the work even if the output is up to date.")
@click.pass_context
def process_data(
    ctx: click.Context,
    data_path: Path | None,
    model_path: str | None,
    max_seq_len: int | None,
    output_dir: Path | None,
    chat_template: str | None,
    min_seq_len: int,
    force: bool,
) -> None:
    """Tokenise, mask and plan packing of training data."""
    from instructlab.cli._progress import progress_bar
    from instructlab.cli.render_pack import print_summary

    with progress_bar("Processing", "bytes") as advance:
        summary = sdk(ctx).process_data(
            data_path,
            None,
            max_seq_len,
            output_dir,
            model_path=model_path,
            chat_template=chat_template,
            min_seq_len=min_seq_len,
            force=force,
            progress=advance,
        )
    print_summary(summary)
