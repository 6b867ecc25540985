"""Printing for ``ilab data generate``: the run report, the dry-run estimate, pipelines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import click


def print_pipelines(found: list[Any]) -> None:
    """The pipelines --pipeline can name, with where they come from."""
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "source", "leaf kinds", "path")
    for p in found:
        table.add_row(p.name, p.source, ", ".join(p.kinds), str(p.path))
    Console(soft_wrap=True).print(table)


def print_estimate(result: Any) -> None:
    """What a dry run found."""
    from rich.console import Console
    from rich.table import Table

    est = result.estimate
    table = Table("leaf", "seed rows", "requests (at most)", "sequences (at most)")
    for leaf, counts in est.per_leaf.items():
        table.add_row(
            leaf, str(counts["seed_rows"]), str(counts["requests"]), str(counts["sequences"])
        )
    console = Console(soft_wrap=True)
    console.print(table)
    console.print(
        f"Pipeline {result.pipeline}: valid. {est.leaves} leaves, {est.seed_rows} seed rows, "
        f"at most {est.requests} requests and {est.sequences} generated sequences; about "
        f"{est.seconds / 60:.1f} minutes at {est.assumed_sequences_per_second:g} sequences/s. "
        "Nothing was sent."
    )


def print_result(result: Any) -> None:
    """The run report and where the data went."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    if result.report is not None:
        result.report.render(console)
    if result.resumed:
        console.print(f"Continued the unfinished run in {result.run_dir}.")
    outputs = result.outputs
    if outputs is not None:
        for name in ("skills_mix", "knowledge_mix", "legacy_messages"):
            path = getattr(outputs, name, None)
            if path is not None:
                console.print(f"{name.replace('_', ' ')}: {path}")
    console.print(f"Run directory: {result.run_dir}")


def run_detached(command: str) -> None:
    """Re-runs this command in the background (without -dt), logging to a file."""
    from instructlab.config import paths

    args = [a for a in sys.argv[1:] if a not in ("-dt", "--detached")]
    log_dir = paths.data_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{command.replace(' ', '-')}-{time.strftime('%Y%m%d-%H%M%S')}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from instructlab.cli.main import main; main()", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(os.environ, NO_COLOR="1"),
        )
    click.echo(f"Started `ilab {command}` in the background (pid {proc.pid}); log: {log}")
