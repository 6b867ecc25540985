"""``ilab model serve``."""

from __future__ import annotations

import click

from instructlab.cli._common import NON_NEGATIVE, POSITIVE, detached_option
from instructlab.cli.model._sdk import given, sdk


@click.command()
@click.option("--model-path", show_default=True, help="GGUF file or model directory.")
@click.option(
    "--backend", type=click.Choice(["llama-cpp", "vllm", "transformers"]), show_default=True
)
@click.option("--host-port", show_default=True, help="host:port to listen on.")
@click.option("--chat-template", show_default=True, help="Jinja file, or auto.")
@click.option(
    "--gpu-layers",
    type=click.IntRange(min=-1),
    show_default=True,
    help="llama.cpp: layers on the GPU (-1: all).",
)
@click.option("--max-ctx-size", type=POSITIVE, show_default=True, help="Context size in tokens.")
@click.option("--gpus", type=NON_NEGATIVE, help="vLLM: GPUs for tensor parallelism.")
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
    result = sdk(ctx).serve(
        given(ctx, "model_path", model_path),
        backend,
        host_port=host_port,
        chat_template=chat_template,
        gpu_layers=gpu_layers,
        max_ctx_size=max_ctx_size,
        api_key=api_key,
        gpus=gpus,
        vllm_args=list(vllm_args) or None,
        detached=detached,
        notify=lambda line: click.echo(line, err=True),
    )
    if isinstance(result, int):
        ctx.exit(result)
    click.echo(f"Serving {result.model_id} at {result.base_url} (process {result.process_id}).")
    click.echo(f"Log: {result.log_file}")
    click.echo(
        f"Follow it with `ilab process attach {result.process_id}`, "
        f"stop it with `ilab process remove {result.process_id}`."
    )
