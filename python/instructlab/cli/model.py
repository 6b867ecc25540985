"""``ilab model``: serve, chat, train, evaluate and manage models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from instructlab.cli._common import detached_option, group, human_size, state

if TYPE_CHECKING:
    from instructlab.core import Model

BENCHMARKS = ("mmlu", "mmlu_branch", "mt_bench", "mt_bench_branch", "dk_bench")


@group("model", "Serve, chat with, train, evaluate and manage models.")
def model() -> None:
    pass


def _sdk(ctx: click.Context, student: str | Path | None = None) -> Model:
    from instructlab.core import Model

    return Model(student, state(ctx).config_path)


@model.command()
@click.option("--model-path", show_default=True, help="GGUF file or model directory.")
@click.option(
    "--backend", type=click.Choice(["llama-cpp", "vllm", "transformers"]), show_default=True
)
@click.option("--host-port", show_default=True, help="host:port to listen on.")
@click.option("--chat-template", show_default=True, help="Jinja file, or auto.")
@click.option("--gpu-layers", type=int, show_default=True, help="llama.cpp: layers on the GPU.")
@click.option("--max-ctx-size", type=int, show_default=True, help="Context size in tokens.")
@click.option("--gpus", type=int, help="vLLM: GPUs for tensor parallelism.")
@click.option(
    "--backend-args", "vllm_args", multiple=True, help="vLLM: an extra argument (repeatable)."
)
@click.option("--api-key", envvar="ILAB_SERVE_API_KEY", help="Require this API key.")
@detached_option
@click.pass_context
def serve(
    ctx: click.Context,
    model_path: str | None,
    backend: str | None,
    host_port: str | None,
    chat_template: str | None,
    gpu_layers: int | None,
    max_ctx_size: int | None,
    gpus: int | None,
    vllm_args: tuple[str, ...],
    api_key: str | None,
    detached: bool,
) -> None:
    """Serve a model over an OpenAI-compatible API."""
    result = _sdk(ctx).serve(
        model_path,
        backend,
        host_port=host_port,
        chat_template=chat_template,
        gpu_layers=gpu_layers,
        max_ctx_size=max_ctx_size,
        api_key=api_key,
        gpus=gpus,
        vllm_args=list(vllm_args) or None,
        detached=detached,
    )
    if isinstance(result, int):
        ctx.exit(result)
    click.echo(f"Serving {result.model_id} at {result.base_url} (process {result.process_id}).")
    click.echo(f"Log: {result.log_file}")
    click.echo(
        f"Follow it with `ilab process attach {result.process_id}`, "
        f"stop it with `ilab process remove {result.process_id}`."
    )


@model.command()
@click.argument("question", required=False)
@click.option("-qq", "--quick-question", "quick", is_flag=True, help="Answer once and exit.")
@click.option("--model", show_default=True)
@click.option("--endpoint-url", help="OpenAI-compatible endpoint (default: start the model).")
@click.option("--api-key", envvar="ILAB_API_KEY", help="API key for the endpoint.")
@click.option("--system-prompt", help="System prompt for the conversation.")
@click.option("--max-tokens", type=int, show_default=True)
@click.option("--temperature", type=float, show_default=True)
@click.pass_context
def chat(
    ctx: click.Context,
    question: str | None,
    quick: bool,
    model: str | None,
    endpoint_url: str | None,
    api_key: str | None,
    system_prompt: str | None,
    max_tokens: int | None,
    temperature: float | None,
) -> None:
    """Chat with a model in the terminal (with QUESTION and -qq: answer once and exit)."""
    if quick and not question:
        raise click.UsageError("-qq needs a QUESTION")
    if not endpoint_url and not quick:
        click.echo(f"Starting {model or 'the model'} for this chat...", err=True)
    reply = _sdk(ctx, model).chat(
        question,
        endpoint_url,
        model=model if endpoint_url else None,
        api_key=api_key,
        system_prompt=system_prompt,
        max_tokens=max_tokens,
        temperature=temperature,
        interactive=not quick,
    )
    if quick and reply is not None:
        click.echo(reply)


@model.command()
@click.option("--data-path", type=click.Path(path_type=Path), show_default=True)
@click.option("--model-path", show_default=True)
@click.option("--pipeline", type=click.Choice(["simple", "full", "accelerated"]), show_default=True)
@click.option("--device", type=click.Choice(["cpu", "cuda", "mps", "hpu"]), show_default=True)
@click.option("--num-epochs", type=int, show_default=True)
@click.option("--effective-batch-size", type=int, show_default=True)
@click.option("--max-seq-len", type=int, show_default=True)
@click.option("--max-batch-len", type=int, show_default=True)
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
    _sdk(ctx, model_path).train_model(data_path, pipeline)


@model.command("process-data")
@click.option("--data-path", type=click.Path(path_type=Path), show_default=True)
@click.option(
    "--model-path", show_default=True, help="Model folder, tokenizer.json or .gguf to prepare for."
)
@click.option("--max-seq-len", type=int, show_default=True)
@click.option("--output-dir", type=click.Path(path_type=Path), show_default=True)
@click.option("--chat-template", help="A chat template (or a file holding one) to use instead.")
@click.option("--min-seq-len", type=int, default=2, show_default=True)
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
    from instructlab.cli.render_pack import print_summary, progress_bar

    with progress_bar("Processing") as advance:
        summary = _sdk(ctx).process_data(
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


@model.command()
@click.option("--benchmark", type=click.Choice(BENCHMARKS), required=True)
@click.option("--model", show_default=True)
@click.pass_context
def evaluate(ctx: click.Context, benchmark: str, model: str | None) -> None:
    """Evaluate a model on a benchmark."""
    getattr(_sdk(ctx), f"evaluate_{benchmark}" + ("_bench" if benchmark == "mmlu" else ""))(model)


@model.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """Models in the models directory, the embedded one included."""
    models = _sdk(ctx).list()
    if fmt == "json":
        import json

        rows = [
            {
                "name": m.name,
                "path": str(m.path),
                "size": m.size,
                "format": m.format,
                "modified": m.modified.isoformat(timespec="seconds"),
                "embedded": m.embedded,
            }
            for m in models
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("Name", "Format", "Size", "Modified", "Path")
    for m in models:
        name = f"{m.name} (embedded)" if m.embedded else m.name
        modified = m.modified.strftime("%Y-%m-%d %H:%M")
        table.add_row(name, m.format, human_size(m.size), modified, str(m.path))
    console = Console(soft_wrap=True)
    if models:
        console.print(table)
    else:
        console.print("No models yet: `ilab model download` copies or fetches one.")


@model.command()
@click.argument("source")
@click.option("--destination", type=click.Path(path_type=Path), help="Models directory.")
@click.option("--filename", help="One file of the repository (e.g. a .gguf).")
@click.option("--revision", help="Branch, tag or commit of the repository.")
@click.option("--hf-token", envvar="HF_TOKEN", help="Hugging Face token.")
@click.pass_context
def download(
    ctx: click.Context,
    source: str,
    destination: Path | None,
    filename: str | None,
    revision: str | None,
    hf_token: str | None,
) -> None:
    """Copy a model from a local path, or download a Hugging Face repository (org/name)."""
    where = _sdk(ctx).download(
        source, destination, filename=filename, revision=revision, token=hf_token
    )
    click.echo(f"Model ready: {where}")


@model.command()
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def remove(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete a model from the models directory."""
    from instructlab.models.folder import find

    info = find(name)
    if not yes:
        click.confirm(f"Delete {info.path}?", abort=True)
    click.echo(f"Deleted {_sdk(ctx).remove(name)}")


@model.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.pass_context
def convert(ctx: click.Context, model_dir: Path) -> None:
    """Convert a trained model (e.g. to GGUF)."""
    _sdk(ctx).convert(model_dir)


@model.command()
@click.argument("name")
@click.argument("destination")
@click.pass_context
def upload(ctx: click.Context, name: str, destination: str) -> None:
    """Upload a model."""
    _sdk(ctx).upload(name, destination)
