"""``ilab model list|download|remove``: the models folder."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import human_size
from instructlab.cli.model._sdk import sdk


@click.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """Models in the models directory, the embedded one included."""
    models = sdk(ctx).list()
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


@click.command()
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
    where = sdk(ctx).download(
        source, destination, filename=filename, revision=revision, token=hf_token
    )
    click.echo(f"Model ready: {where}")


@click.command()
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def remove(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete a model from the models directory."""

    def ask(path: Path) -> bool:
        return click.confirm(f"Delete {path}?", abort=True)

    deleted = sdk(ctx).remove(name, confirm=None if yes else ask)
    click.echo(f"Deleted {deleted}")
