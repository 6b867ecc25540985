"""``ilab model convert``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from instructlab.cli._common import POSITIVE, human_size, warn
from instructlab.cli.model._sdk import sdk


@click.command()
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    help="Checkpoint folder to convert (default: the newest trained checkpoint).",
)
@click.option(
    "--adapter-file",
    type=click.Path(path_type=Path),
    help="A LoRA adapter folder to merge into --model-dir (then the base model) first.",
)
@click.option("--skip-de-quantize", is_flag=True, help="No effect (InstructLab's MLX option).")
@click.option("--skip-quantize", is_flag=True, help="Write the f16 GGUF only.")
@click.option(
    "--model-name",
    default="pytorch_model",
    show_default=True,
    help="File name of the output: NAME.gguf and NAME-Q4_K_M.gguf.",
)
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path),
    help="Where the GGUF files go (default: the checkpoint folder).",
)
@click.option(
    "--quant-type",
    type=click.Choice(["Q4_K_M", "Q5_K_M", "Q8_0"]),
    default="Q4_K_M",
    show_default=True,
)
@click.option("--threads", type=POSITIVE, help="Threads for quantising (default: all).")
@click.option("-f", "--force", is_flag=True, help="Replace GGUF files that exist already.")
@click.pass_context
def convert(
    ctx: click.Context,
    model_dir: Path | None,
    adapter_file: Path | None,
    skip_de_quantize: bool,
    skip_quantize: bool,
    model_name: str,
    output_dir: Path | None,
    quant_type: str,
    threads: int | None,
    force: bool,
) -> None:
    """Convert a trained checkpoint to GGUF (f16) and quantise it (Q4_K_M)."""

    def ask(path: Path) -> bool:
        # Without a terminal there is nobody to ask: the SDK then names the file and --force.
        return sys.stdin.isatty() and click.confirm(f"{path} exists already. Replace it?")

    result = sdk(ctx).convert(
        model_dir,
        adapter_file=adapter_file,
        skip_de_quantize=skip_de_quantize,
        skip_quantize=skip_quantize,
        model_name=model_name,
        output_dir=output_dir,
        quant_type=quant_type,  # type: ignore[arg-type]
        force=force,
        confirm=ask,
        threads=threads,
        on_status=lambda message: click.echo(message, err=True),
    )
    for note in result.notes:
        warn(note)
    click.echo(f"GGUF f16: {result.gguf} ({human_size(result.gguf.stat().st_size)})")
    if result.quantized is not None:
        size = human_size(result.quantized.stat().st_size)
        click.echo(f"GGUF {result.quant_type}: {result.quantized} ({size})")
    click.echo(f"Converted {result.model_dir} ({result.architecture}) in {result.seconds:.1f} s")
