"""``ilab process``: background servers and jobs."""

from __future__ import annotations

import click

from instructlab.cli._common import group


@group("process", "List, follow and stop background servers and jobs.")
def process() -> None:
    pass


@process.command("list")
def list_() -> None:
    """Background processes: id, command, state, log file, start time."""
    from instructlab.core import System

    System().processes()


@process.command()
@click.argument("process_id")
def attach(process_id: str) -> None:
    """Follow a background process's log."""
    from instructlab.core import System

    System().attach(process_id)


@process.command()
@click.argument("process_id")
def remove(process_id: str) -> None:
    """Stop a background process."""
    from instructlab.core import System

    System().stop(process_id)


@process.command()
def prune() -> None:
    """Forget finished background processes."""
    from instructlab.core import System

    System().prune()
