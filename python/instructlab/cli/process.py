"""``ilab process``: background servers and jobs."""

from __future__ import annotations

import click

from instructlab.cli._common import group


@group("process", "List, follow and stop background servers and jobs.")
def process() -> None:
    pass


@process.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def list_(fmt: str) -> None:
    """Background processes: id, kind, state, start time, log file, command."""
    from instructlab.core import System

    records = System().processes()
    if fmt == "json":
        import json

        click.echo(json.dumps(records, indent=2))
        return
    if not records:
        click.echo("No background processes.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("Id", "Kind", "PID", "State", "Started", "Log file", "Command")
    for r in records:
        state = r["state"] if r["exit_code"] is None else f"{r['state']} ({r['exit_code']})"
        command = " ".join(r["command"]) or f"(damaged: {r['extra'].get('damaged', '?')})"
        table.add_row(
            r["id"], r["kind"], str(r["pid"]), state, r["started"], r["log_file"], command
        )
    Console(soft_wrap=True).print(table)


@process.command()
@click.argument("process_id")
def attach(process_id: str) -> None:
    """Follow a background process's log (Ctrl-C detaches; the process keeps running)."""
    from instructlab.core import System

    try:
        System().attach(process_id)
    except KeyboardInterrupt:
        click.echo(f"\nDetached; `ilab process remove {process_id}` stops it.", err=True)


@process.command()
@click.argument("process_id")
def remove(process_id: str) -> None:
    """Stop a background process and forget it."""
    from instructlab.core import System

    record = System().stop(process_id)
    click.echo(f"Stopped and removed {record['id']} ({record['kind']}, pid {record['pid']}).")


@process.command()
def prune() -> None:
    """Forget finished background processes."""
    from instructlab.core import System

    gone = System().prune()
    click.echo(
        f"Pruned {len(gone)} finished process(es)" + (": " + ", ".join(gone) if gone else ".")
    )
