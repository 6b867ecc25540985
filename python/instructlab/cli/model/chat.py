"""``ilab model chat``."""

from __future__ import annotations

import click

from instructlab.cli._common import ENDPOINT_URL, POSITIVE
from instructlab.cli.model._sdk import given, sdk


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
@click.option(
    "--rag/--no-rag",
    default=None,
    help="Put passages of the document store into each question (default: rag.enabled).",
)
@click.option(
    "--top-k", type=POSITIVE, help="Passages per question (default: rag.retriever.top_k)."
)
@click.option("--document-store-uri", help="Document store (default: rag.document_store.uri).")
@click.option("--document-store-collection-name", "collection", help="Collection of the store.")
@click.option("--embedding-model", help="Embedding model folder (default: the store's, packaged).")
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
    rag: bool | None,
    top_k: int | None,
    document_store_uri: str | None,
    collection: str | None,
    embedding_model: str | None,
) -> None:
    """Chat with a model in the terminal (with QUESTION and -qq: answer once and exit)."""
    if quick and not question:
        raise click.UsageError("-qq needs a QUESTION")
    if not endpoint_url:
        model = given(ctx, "model", model)
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
        rag=rag,
        top_k=top_k,
        document_store_uri=document_store_uri,
        collection_name=collection,
        embedding_model=embedding_model,
        notify=lambda line: click.echo(line, err=True),
    )
    if quick and reply is not None:
        from instructlab.serve.chat import source_lines

        click.echo(reply)
        for line in source_lines(getattr(reply, "passages", ())):
            click.echo(line)
