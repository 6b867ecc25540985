"""``ilab model chat``."""

from __future__ import annotations

import click

from instructlab.cli._common import ENDPOINT_URL, POSITIVE
from instructlab.cli.model._sdk import sdk


@click.command()
@click.argument("question", required=False)
@click.option("-qq", "--quick-question", "quick", is_flag=True, help="Answer once and exit.")
@click.option("--model", show_default=True)
@click.option(
    "--endpoint-url",
    type=ENDPOINT_URL,
    help="OpenAI-compatible endpoint (default: start the model).",
)
@click.option("--api-key", envvar="ILAB_API_KEY", help="API key for the endpoint.")
@click.option("--system-prompt", help="System prompt for the conversation.")
@click.option("--max-tokens", type=POSITIVE, show_default=True)
@click.option("--temperature", type=click.FloatRange(0, 2), show_default=True)
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
    reply = sdk(ctx, model).chat(
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
