"""``ilab model upload``."""

from __future__ import annotations

import click

from instructlab.cli.model._sdk import sdk


@click.command()
@click.argument("name")
@click.argument("destination")
@click.pass_context
def upload(ctx: click.Context, name: str, destination: str) -> None:
    """Upload a model."""
    sdk(ctx).upload(name, destination)
