"""Printing for ``ilab data generate``: the run report, the dry-run estimate, pipelines, the
live view."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console

    from instructlab.core import (
        FoundPipeline,
        GenerateEvent,
        GenerateResult,
        ProcessRecord,
        RunReport,
    )


def _console() -> Console:
    """stdout; when it is not a terminal (a pipe, a detached run's log), tables get their
    natural width, so leaf names and paths are never cut."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    if not console.is_terminal:
        console = Console(soft_wrap=True, width=100_000)
    return console


@contextlib.contextmanager
def progress_view(quiet: bool) -> Iterator[Callable[[GenerateEvent], None] | None]:
    """The live view of a run on stderr while the block runs; yields the listener to give
    ``generate_data`` (None with ``quiet``: no view)."""
    if quiet:
        yield None
        return
    from rich.console import Console

    from instructlab.cli._generate_progress import LiveProgress

    view = LiveProgress(Console(stderr=True))
    with view.shown():
        yield view


def print_pipelines(found: list[FoundPipeline]) -> None:
    """The pipelines --pipeline can name, with where they come from."""
    from rich.table import Table

    table = Table("name", "source", "leaf kinds", "path")
    for p in found:
        table.add_row(p.name, p.source, ", ".join(p.kinds), str(p.path))
    _console().print(table)


def print_estimate(result: GenerateResult) -> None:
    """What a dry run found."""
    from rich.table import Table

    est = result.estimate
    assert est is not None
    table = Table("leaf", "seed rows", "requests (at most)", "sequences (at most)")
    table.columns[0].overflow = "fold"
    for leaf, counts in est.per_leaf.items():
        table.add_row(leaf, str(counts.seed_rows), str(counts.requests), str(counts.sequences))
    console = _console()
    console.print(table)
    console.print(
        f"Pipeline {result.pipeline}: valid. {est.leaves} leaves, {est.seed_rows} seed rows, "
        f"at most {est.requests} requests and {est.sequences} generated sequences; about "
        f"{est.seconds / 60:.1f} minutes at {est.assumed_sequences_per_second:g} sequences/s. "
        "Nothing was sent."
    )


def print_result(result: GenerateResult, quiet: bool = False) -> None:
    """The run report and where the data went; ``quiet``: its summary and errors only."""
    console = _console()
    if result.report is not None and quiet:
        render_summary(result.report, console)
    elif result.report is not None:
        render_report(result.report, console)
    if result.resumed:
        console.print(f"Continued the unfinished run in {result.run_dir}.")
    outputs = result.outputs
    if outputs is not None:
        for name, path in (
            ("skills mix", outputs.skills_mix),
            ("knowledge mix", outputs.knowledge_mix),
            ("legacy messages", outputs.legacy_messages),
        ):
            if path is not None:
                console.print(f"{name}: {path}")
    console.print(f"Run directory: {result.run_dir}")


def print_detached(record: ProcessRecord) -> None:
    """Where a background run went."""
    click.echo(f"Started `ilab data generate` in the background (process {record.id}).")
    click.echo(f"Log: {record.log_file}")
    click.echo(f"Follow it with `ilab process attach {record.id}`.")


# -- the report ------------------------------------------------------------------------------


def render_report(report: RunReport, console: Console) -> None:
    """The report as tables: each leaf and block, drops and faults by reason, the totals, what
    mixing removed, the errors."""
    from rich.table import Table

    table = Table(title="Generation", show_lines=False)
    for col in ("leaf / block", "rows in", "rows out", "dropped", "faults", "requests"):
        if col == "leaf / block":
            table.add_column(col, overflow="fold")  # a leaf's name is never cut
        else:
            table.add_column(col, justify="right")
    for leaf in report.leaves:
        status = " (resumed)" if leaf.resumed else ""
        style = "red" if leaf.rows_out == 0 or leaf.error else "bold"
        table.add_row(
            f"[{style}]{leaf.leaf}[/] [dim]{leaf.kind}{status}[/]",
            str(leaf.rows_in),
            str(leaf.rows_out),
            "",
            "",
            "",
        )
        for b in leaf.blocks:
            table.add_row(
                f"  {b.name}",
                str(b.rows_in),
                str(b.rows_out),
                str(sum(b.drops.values()) or ""),
                str(sum(b.faults.values()) or ""),
                str(b.sent_samples or ""),
            )
    console.print(table)
    for title, counts in (("Dropped", report.drops), ("Faults (skipped)", report.faults)):
        if counts:
            console.print(f"[bold]{title}:[/]")
            for reason, count in counts.most_common():
                console.print(f"  {count:>6}  {reason}")
    console.print(_totals(report))
    _render_mixing(report, console)
    _render_errors(report, console)


def render_summary(report: RunReport, console: Console) -> None:
    """The report in a few lines: rows, requests, errors (``--quiet``)."""
    rows = sum(leaf.rows_out for leaf in report.leaves)
    skipped = sum(report.faults.values())
    dropped = sum(report.drops.values())
    console.print(
        f"{rows} rows generated for {len(report.leaves)} leaves ({dropped} dropped by filters, "
        f"{skipped} skipped on faults; see report.json); {_totals(report)}"
    )
    _render_errors(report, console)


def _totals(report: RunReport) -> str:
    return (
        f"{report.requests} requests ({report.retries} retries, {report.errors} errors, "
        f"{report.throttled} throttled), {report.cached_samples} answers from the cache, "
        f"{report.prompt_tokens} prompt + {report.completion_tokens} completion tokens, "
        f"{report.seconds:.1f} s"
    )


def _render_errors(report: RunReport, console: Console) -> None:
    for leaf in report.failed_leaves:
        console.print(
            f"[red]Error:[/] leaf {leaf.leaf} yielded no training rows"
            + (f" ({leaf.error})" if leaf.error else "")
        )


def _render_mixing(report: RunReport, console: Console) -> None:
    if not report.mixing:
        return
    from rich.markup import escape

    removed = {name: c for name, c in report.mixing.items() if c.removed}
    if not removed:
        kept = ", ".join(f"{name} {c.rows_in}" for name, c in report.mixing.items())
        console.print(f"[bold]Mixing removed nothing[/] (rows checked: {kept})")
        return
    console.print("[bold]Removed while mixing:[/]")
    for name, cleaning in removed.items():
        for reason, count in cleaning.removed.most_common():
            examples = escape(", ".join(cleaning.examples.get(reason, [])))
            console.print(
                f"  {count:>6}  {name}: {reason} ({cleaning.meaning(reason)}; "
                f"of {cleaning.rows_in} rows; e.g. {examples})"
            )
