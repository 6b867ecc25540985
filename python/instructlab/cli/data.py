"""``ilab data``: generate, mix, clean and list training data."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import detached_option, group, state


@group("data", "Generate, mix, clean and list training data.")
def data() -> None:
    pass


@data.command()
@click.option("--pipeline", show_default=True, help="simple, full, eval, a name or a directory.")
@click.option("--model", show_default=True, help="Teacher model.")
@click.option("--model-family", help="Teacher prompt family (default: detect).")
@click.option("--endpoint-url", help="OpenAI-compatible endpoint of a running teacher.")
@click.option("--api-key", help="API key for the endpoint.")
@click.option("--taxonomy-path", type=click.Path(path_type=Path), show_default=True)
@click.option("--taxonomy-base", show_default=True)
@click.option("--output-dir", type=click.Path(path_type=Path), show_default=True)
@click.option("--sdg-scale-factor", type=int, show_default=True)
@click.option("--num-cpus", type=int, show_default=True, help="Cap on requests in flight.")
@click.option("--max-num-tokens", type=int, show_default=True)
@click.option("--chunk-word-count", type=int, show_default=True)
@click.option("--server-ctx-size", type=int, show_default=True)
@click.option("--teacher-model-id", show_default=True)
@click.option("--dry-run", is_flag=True, help="Validate and estimate; send nothing.")
@click.option("--new-run", is_flag=True, help="Start afresh instead of resuming.")
@detached_option
@click.pass_context
def generate(
    ctx: click.Context,
    pipeline: str | None,
    model: str | None,
    model_family: str | None,
    endpoint_url: str | None,
    api_key: str | None,
    taxonomy_path: Path | None,
    taxonomy_base: str | None,
    output_dir: Path | None,
    sdg_scale_factor: int | None,
    num_cpus: int | None,
    max_num_tokens: int | None,
    chunk_word_count: int | None,
    server_ctx_size: int | None,
    teacher_model_id: str | None,
    dry_run: bool,
    new_run: bool,
    detached: bool,
) -> None:
    """Generate synthetic training data from the changed taxonomy leaves."""
    from instructlab.core import Data

    sdk = Data(taxonomy_path, model, output_dir, state(ctx).config_path)
    sdk.generate_data(pipeline, endpoint_url, sdg_scale_factor, dry_run)


@data.command()
@click.option(
    "--recipe",
    required=True,
    help="Recipe file, or the name of a default recipe (knowledge, skills) in the XDG data dirs.",
)
@click.option("--output-dir", type=click.Path(path_type=Path), help="Default: the recipe's folder.")
@click.option("--system-prompt", help="System prompt of every record (default: the recipe's).")
@click.pass_context
def mix(
    ctx: click.Context, recipe: str, output_dir: Path | None, system_prompt: str | None
) -> None:
    """Mix data sets according to a recipe."""
    from instructlab.cli.data_views import print_mix
    from instructlab.core import Data

    print_mix(Data(configuration=state(ctx).config_path).mix(recipe, output_dir, system_prompt))


@data.command("list")
@click.option("--output-dir", type=click.Path(path_type=Path), help="Data sets folder.")
@click.option("--files", "show_files", is_flag=True, help="List every file of every run.")
@click.pass_context
def list_(ctx: click.Context, output_dir: Path | None, show_files: bool) -> None:
    """Generation runs, their files and row counts."""
    from instructlab.cli.data_views import print_runs
    from instructlab.core import Data

    sdk = Data(output_dir=output_dir, configuration=state(ctx).config_path)
    print_runs(sdk.list(), show_files)


@data.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--chunk-word-count", type=int, help="Most words per chunk (default: from config).")
@click.option("--server-ctx-size", type=int, help="Teacher context in tokens; caps the chunk size.")
@click.option(
    "--output-dir", type=click.Path(path_type=Path), help="Write <name>.chunks.jsonl here."
)
@click.pass_context
def ingest(
    ctx: click.Context,
    documents: tuple[Path, ...],
    chunk_word_count: int | None,
    server_ctx_size: int | None,
    output_dir: Path | None,
) -> None:
    """Convert knowledge documents (Markdown, text, PDF) to text chunks for generation."""
    from instructlab.cli.data_views import print_ingested
    from instructlab.core import Data

    sdk = Data(configuration=state(ctx).config_path)
    print_ingested(sdk.ingest(list(documents), chunk_word_count, server_ctx_size, output_dir))


@data.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--column", "columns", multiple=True, help="Columns to compare (repeatable).")
@click.option("--threshold", type=float, default=1.0, show_default=True, help="1.0 = exact.")
@click.pass_context
def dedup(ctx: click.Context, input_file: Path, columns: tuple[str, ...], threshold: float) -> None:
    """Remove exact or near duplicates from a JSONL/Parquet file."""
    from instructlab.core import Data

    Data(configuration=state(ctx).config_path).dedup(input_file, list(columns) or None, threshold)


@data.command("filter")
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--column", "columns", multiple=True, help="Columns to check (repeatable).")
@click.pass_context
def filter_(ctx: click.Context, input_file: Path, columns: tuple[str, ...]) -> None:
    """Drop low-quality rows from a JSONL/Parquet file."""
    from instructlab.core import Data

    Data(configuration=state(ctx).config_path).filter(input_file, list(columns) or None)


@data.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--ngram", type=int, default=13, show_default=True)
@click.pass_context
def decontaminate(ctx: click.Context, input_file: Path, reference: Path, ngram: int) -> None:
    """Drop rows that overlap evaluation questions."""
    from instructlab.core import Data

    Data(configuration=state(ctx).config_path).decontaminate(input_file, reference, ngram)
