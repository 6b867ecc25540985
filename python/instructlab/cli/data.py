"""``ilab data``: generate, mix, clean and list training data."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import (
    ENDPOINT_URL,
    NON_NEGATIVE,
    POSITIVE,
    detached_option,
    group,
    state,
    warn,
)


@group("data", "Generate, mix, clean and list training data.")
def data() -> None:
    pass


@data.command()
@click.option("--pipeline", show_default=True, help="simple, full, eval, a name or a directory.")
@click.option("--model", show_default=True, help="Teacher model.")
@click.option("--model-family", help="Teacher prompt family (default: detect).")
@click.option(
    "--endpoint-url", type=ENDPOINT_URL, help="OpenAI-compatible endpoint of a running teacher."
)
@click.option("--api-key", help="API key for the endpoint.")
@click.option("--tls-insecure", is_flag=True, help="Do not verify the endpoint's certificate.")
@click.option("--tls-client-cert", type=click.Path(path_type=Path), help="TLS client certificate.")
@click.option("--tls-client-key", type=click.Path(path_type=Path), help="TLS client key.")
@click.option("--tls-client-passwd", help="Password of the TLS client key.")
@click.option("--taxonomy-path", type=click.Path(path_type=Path), show_default=True)
@click.option("--taxonomy-base", show_default=True)
@click.option("--output-dir", type=click.Path(path_type=Path), show_default=True)
@click.option("--sdg-scale-factor", type=POSITIVE, show_default=True)
@click.option("--num-cpus", type=POSITIVE, show_default=True, help="Cap on requests in flight.")
@click.option("--max-num-tokens", type=POSITIVE, show_default=True)
@click.option("--chunk-word-count", type=POSITIVE, show_default=True)
@click.option("--server-ctx-size", type=POSITIVE, show_default=True)
@click.option(
    "--teacher-model-id",
    show_default=True,
    help="An id in the config's `models` list (its path and family), else the model name "
    "sent in requests.",
)
@click.option(
    "--student-model-id",
    help="An id in the config's `models` list whose system_prompt the data gets.",
)
@click.option(
    "--yaml-rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="yamllint rules for the taxonomy diff that chooses the leaves.",
)
@click.option(
    "--batch-size",
    type=NON_NEGATIVE,
    help="Cap on prompts (= requests) in flight; with --num-cpus the smaller wins; 0: none.",
)
@click.option(
    "--gpus",
    type=NON_NEGATIVE,
    help="GPUs for a teacher started here with vLLM (tensor parallelism); others ignore it.",
)
@click.option(
    "--enable-serving-output", is_flag=True, help="Show the started teacher's server log live."
)
@click.option("--quiet", is_flag=True, help="No live view: only the summary and errors.")
@click.option("--num-instructions", type=POSITIVE, hidden=True)
@click.option("--dry-run", is_flag=True, help="Validate and estimate; send nothing.")
@click.option("--new-run", is_flag=True, help="Start afresh instead of resuming.")
@click.option("--list-pipelines", is_flag=True, help="List the pipelines --pipeline can name.")
@click.option(
    "--options-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    hidden=True,
    help="Every option as one JSON record (how a background run gets them); flags are ignored.",
)
@detached_option
@click.pass_context
def generate(
    ctx: click.Context,
    pipeline: str | None,
    model: str | None,
    model_family: str | None,
    endpoint_url: str | None,
    api_key: str | None,
    tls_insecure: bool,
    tls_client_cert: Path | None,
    tls_client_key: Path | None,
    tls_client_passwd: str | None,
    taxonomy_path: Path | None,
    taxonomy_base: str | None,
    output_dir: Path | None,
    sdg_scale_factor: int | None,
    num_cpus: int | None,
    max_num_tokens: int | None,
    chunk_word_count: int | None,
    server_ctx_size: int | None,
    teacher_model_id: str | None,
    student_model_id: str | None,
    yaml_rules: Path | None,
    batch_size: int | None,
    gpus: int | None,
    enable_serving_output: bool,
    quiet: bool,
    num_instructions: int | None,
    dry_run: bool,
    new_run: bool,
    list_pipelines: bool,
    options_file: Path | None,
    detached: bool,
) -> None:
    """Generate synthetic training data from the changed taxonomy leaves."""
    from instructlab.cli._generate import print_detached, print_pipelines
    from instructlab.core import Data, GenerateOptions

    sdk = Data(configuration=state(ctx).config_path)
    if list_pipelines:
        print_pipelines(sdk.list_pipelines())
        return
    if num_instructions is not None:
        warn("--num-instructions is deprecated; use --sdg-scale-factor")
        if sdg_scale_factor is None:
            sdg_scale_factor = num_instructions
    if options_file is not None:
        # A background run: the record it was given, the secrets from its environment.
        secrets = {"api_key": api_key, "tls_client_passwd": tls_client_passwd}
        options = GenerateOptions.from_file(options_file, secrets)
    else:
        options = GenerateOptions(
            taxonomy_path=taxonomy_path,
            taxonomy_base=taxonomy_base,
            yaml_rules=yaml_rules,
            output_dir=output_dir,
            model=model,
            model_family=model_family,
            teacher_model_id=teacher_model_id,
            endpoint_url=endpoint_url,
            api_key=api_key,
            tls_insecure=tls_insecure,
            tls_client_cert=tls_client_cert,
            tls_client_key=tls_client_key,
            tls_client_passwd=tls_client_passwd,
            gpus=gpus,
            enable_serving_output=enable_serving_output,
            server_ctx_size=server_ctx_size,
            pipeline=pipeline,
            sdg_scale_factor=sdg_scale_factor,
            max_num_tokens=max_num_tokens,
            chunk_word_count=chunk_word_count,
            student_model_id=student_model_id,
            num_cpus=num_cpus,
            batch_size=batch_size,
            dry_run=dry_run,
            new_run=new_run,
            quiet=quiet,
        )
    if detached:
        print_detached(sdk.generate_data(options, detached=True))
        return
    from instructlab.cli._generate import print_estimate, print_result, progress_view
    from instructlab.core import GenerationIncomplete

    try:
        with progress_view(options.quiet or options.dry_run) as on_event:
            result = sdk.generate_data(options, on_event=on_event)
    except GenerationIncomplete as exc:
        print_result(exc.result, options.quiet)
        raise
    if result.estimate is not None:
        print_estimate(result)
    else:
        print_result(result, options.quiet)


@data.command()
@click.option(
    "--recipe",
    required=True,
    help="Recipe file, or the name of a default recipe (knowledge, skills) in the XDG data dirs.",
)
@click.option("--output-dir", type=click.Path(path_type=Path), help="Default: the recipe's folder.")
@click.option("--system-prompt", help="System prompt of every record (default: the recipe's).")
@click.option(
    "--dedup/--no-dedup", default=True, help="Drop exact duplicates across the data sets."
)
@click.option(
    "--test-set",
    type=click.Path(exists=True, path_type=Path),
    help="Drop rows overlapping this test set (test_*.jsonl, qna.yaml or taxonomy folder).",
)
@click.pass_context
def mix(
    ctx: click.Context,
    recipe: str,
    output_dir: Path | None,
    system_prompt: str | None,
    dedup: bool,
    test_set: Path | None,
) -> None:
    """Mix data sets according to a recipe."""
    from instructlab.cli.data_views import print_mix
    from instructlab.core import Data

    sdk = Data(configuration=state(ctx).config_path)
    print_mix(sdk.mix(recipe, output_dir, system_prompt, dedup=dedup, test_set=test_set))


@data.command("list")
@click.option("--output-dir", type=click.Path(path_type=Path), help="Data sets folder.")
@click.option("--files", "show_files", is_flag=True, help="List every file of every run.")
@click.pass_context
def list_(ctx: click.Context, output_dir: Path | None, show_files: bool) -> None:
    """Generation runs, their files and row counts."""
    from instructlab.cli.data_views import print_runs
    from instructlab.core import Data

    sdk = Data(output_dir=output_dir, configuration=state(ctx).config_path)
    print_runs(sdk.list(), show_files, sdk.data_folder)


@data.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--chunk-word-count", type=POSITIVE, help="Most words per chunk (default: from config)."
)
@click.option(
    "--server-ctx-size", type=POSITIVE, help="Teacher context in tokens; caps the chunk size."
)
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
    """Convert knowledge documents (Markdown, text, PDF, HTML, DOCX, PPTX) to text chunks."""
    from instructlab.cli.data_views import print_ingested
    from instructlab.core import Data

    sdk = Data(configuration=state(ctx).config_path)
    print_ingested(sdk.ingest(list(documents), chunk_word_count, server_ctx_size, output_dir))


_INPUT = click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the kept rows go (.jsonl or .parquet). [default: INPUT.<step>.<ext>]",
)
_REPORT = click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the JSON report goes. [default: beside the output]",
)


def _default_output(input_file: Path, step: str, output: Path | None) -> Path:
    if output is not None:
        return output
    return input_file.with_name(f"{input_file.stem}.{step}{input_file.suffix}")


@data.command()
@_INPUT
@click.option("--column", "columns", multiple=True, help="Columns to compare (repeatable).")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=1.0,
    show_default=True,
    help="1.0 = exact.",
)
@click.option(
    "--normalize",
    default="default",
    show_default=True,
    help="raw, default (NFKC, case, spacing), aggressive (+ punctuation) or flags joined by +.",
)
@click.option(
    "--num-perm", type=click.IntRange(1, 4096), default=128, show_default=True, help="MinHash size."
)
@click.option("--ngram", type=POSITIVE, default=5, show_default=True, help="Words per shingle.")
@_OUTPUT
@_REPORT
@click.pass_context
def dedup(
    ctx: click.Context,
    input_file: Path,
    columns: tuple[str, ...],
    threshold: float,
    normalize: str,
    num_perm: int,
    ngram: int,
    output: Path | None,
    report: Path | None,
) -> None:
    """Remove exact or near duplicates from a JSONL/Parquet file (the first copy stays)."""
    from instructlab.cli._clean_report import show_report
    from instructlab.core import Data

    result = Data(configuration=state(ctx).config_path).dedup(
        input_file,
        list(columns) or None,
        threshold,
        normalize=normalize,
        num_perm=num_perm,
        ngram=ngram,
        output=_default_output(input_file, "dedup", output),
        report=report,
    )
    show_report(result)


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, object]:
    import json

    settings: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--set")
        try:
            settings[key.strip()] = json.loads(value)
        except json.JSONDecodeError as err:
            raise click.BadParameter(
                f"{pair!r}: the value must be JSON (a number, null, [[2, 0.2]])",
                param_hint="--set",
            ) from err
    return settings


@data.command("filter")
@_INPUT
@click.option("--column", "columns", multiple=True, help="Text column(s) to check.")
@click.option("--question-column", help="Question column, for the echo check.")
@click.option(
    "--preset",
    type=click.Choice(["default", "gopher"]),
    default="default",
    show_default=True,
    help="default: generated answers; gopher: the Gopher values for documents.",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override one threshold, e.g. min_words=5 or max_non_alnum_ratio=null (repeatable).",
)
@_OUTPUT
@_REPORT
@click.pass_context
def filter_(
    ctx: click.Context,
    input_file: Path,
    columns: tuple[str, ...],
    question_column: str | None,
    preset: str,
    settings: tuple[str, ...],
    output: Path | None,
    report: Path | None,
) -> None:
    """Drop low-quality rows from a JSONL/Parquet file, with a reason for each."""
    from instructlab.cli._clean_report import show_report
    from instructlab.core import Data

    result = Data(configuration=state(ctx).config_path).filter(
        input_file,
        list(columns) or None,
        question_column=question_column,
        preset=preset,
        settings=_parse_settings(settings),
        output=_default_output(input_file, "filter", output),
        report=report,
    )
    show_report(result)


@data.command()
@_INPUT
@click.option(
    "--reference",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="Evaluation rows (JSONL/Parquet), a qna.yaml or a taxonomy folder.",
)
@click.option("--ngram", type=POSITIVE, default=13, show_default=True)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.0,
    show_default=True,
    help="Drop rows with more than this fraction of n-grams in a reference (0: any).",
)
@click.option("--column", "columns", multiple=True, help="Question/answer columns to compare.")
@_OUTPUT
@_REPORT
@click.pass_context
def decontaminate(
    ctx: click.Context,
    input_file: Path,
    reference: Path,
    ngram: int,
    threshold: float,
    columns: tuple[str, ...],
    output: Path | None,
    report: Path | None,
) -> None:
    """Drop rows whose questions or answers overlap evaluation questions."""
    from instructlab.cli._clean_report import show_report
    from instructlab.core import Data

    result = Data(configuration=state(ctx).config_path).decontaminate(
        input_file,
        reference,
        ngram,
        columns=list(columns) or None,
        threshold=threshold,
        output=_default_output(input_file, "decontaminate", output),
        report=report,
    )
    show_report(result)
