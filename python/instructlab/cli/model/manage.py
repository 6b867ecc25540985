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
    """Models in the models directory (the embedded one included) and trained checkpoints."""
    found = sdk(ctx).list()
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
                "checkpoint": m.samples is not None,
                "samples": m.samples,
                "base_model": m.base_model,
                "data": m.data,
            }
            for m in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    models = [m for m in found if m.samples is None]
    checkpoints = [m for m in found if m.samples is not None]
    console = Console(soft_wrap=True)
    table = Table("Name", "Format", "Size", "Modified", "Path")
    for m in models:
        name = f"{m.name} (embedded)" if m.embedded else m.name
        modified = m.modified.strftime("%Y-%m-%d %H:%M")
        table.add_row(name, m.format, human_size(m.size), modified, str(m.path))
    if models:
        console.print(table)
    else:
        console.print("No models yet: `ilab model download` copies or fetches one.")
    if checkpoints:
        trained = Table(
            "Checkpoint", "Samples", "Base model", "Data", "Size", "Modified", "Path",
            title="Trained checkpoints (the newest is used when no model is named)",
        )  # fmt: skip
        for m in checkpoints:
            trained.add_row(
                m.name,
                str(m.samples),
                m.base_model or "",
                m.data or "",
                human_size(m.size),
                m.modified.strftime("%Y-%m-%d %H:%M"),
                str(m.path),
            )
        console.print(trained)


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
