"""Rendering a cleaning report: counts per reason and a few examples of each."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from instructlab.clean import CleanResult


def show_report(result: CleanResult) -> None:
    """Prints what was kept and dropped, why, and where the files went."""
    from rich.console import Console
    from rich.table import Table

    report = result.report
    console = Console()
    console.print(
        f"[bold]{report.step}[/]: {report.input_rows} rows in, {report.kept_rows} kept, "
        f"{report.dropped_rows} dropped"
    )
    if report.dropped:
        table = Table("reason", "rows", "examples", show_lines=True)
        for reason, count in report.dropped.items():
            examples = "\n".join(
                f"#{e['row']}: {e.get('text', '')}" for e in report.examples.get(reason, [])
            )
            table.add_row(reason, str(count), examples)
        console.print(table)
    if result.output is not None:
        console.print(f"kept rows: {result.output}")
    if result.report_path is not None:
        console.print(f"report:    {result.report_path}")
