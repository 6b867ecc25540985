"""Printing for ``ilab data generate``: the run report, the dry-run estimate, pipelines."""

from __future__ import annotations

from typing import Any

import click


def _console() -> Any:
    """stdout; when it is not a terminal (a pipe, a detached run's log), tables get their
    natural width, so leaf names and paths are never cut."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    if not console.is_terminal:
        console = Console(soft_wrap=True, width=100_000)
    return console


def print_pipelines(found: list[Any]) -> None:
    """The pipelines --pipeline can name, with where they come from."""
    from rich.table import Table

    table = Table("name", "source", "leaf kinds", "path")
    for p in found:
        table.add_row(p.name, p.source, ", ".join(p.kinds), str(p.path))
    _console().print(table)


def print_estimate(result: Any) -> None:
    """What a dry run found."""
    from rich.table import Table

    est = result.estimate
    table = Table("leaf", "seed rows", "requests (at most)", "sequences (at most)")
    table.columns[0].overflow = "fold"
    for leaf, counts in est.per_leaf.items():
        table.add_row(
            leaf, str(counts["seed_rows"]), str(counts["requests"]), str(counts["sequences"])
        )
    console = _console()
    console.print(table)
    console.print(
        f"Pipeline {result.pipeline}: valid. {est.leaves} leaves, {est.seed_rows} seed rows, "
        f"at most {est.requests} requests and {est.sequences} generated sequences; about "
        f"{est.seconds / 60:.1f} minutes at {est.assumed_sequences_per_second:g} sequences/s. "
        "Nothing was sent."
    )


def print_result(result: Any) -> None:
    """The run report and where the data went."""
    console = _console()
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


def print_detached(record: Any) -> None:
    """Where a background run went."""
    click.echo(f"Started `ilab data generate` in the background (process {record.id}).")
    click.echo(f"Log: {record.log_file}")
    click.echo(f"Follow it with `ilab process attach {record.id}`.")
