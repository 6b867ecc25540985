"""``ilab taxonomy``: initialise, diff and validate a taxonomy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from instructlab.cli._common import group, state

if TYPE_CHECKING:
    from instructlab.taxonomy import ValidationReport


@group("taxonomy", "Initialise, diff and validate a taxonomy.")
def taxonomy() -> None:
    pass


@taxonomy.command()
@click.option("--taxonomy-path", type=click.Path(path_type=Path), show_default=True)
@click.option("--taxonomy-base", show_default=True, help="Git ref to compare with, or 'empty'.")
@click.option("--quiet", is_flag=True, help="Print only problems.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text")
@click.option("--include-foundational", is_flag=True, help="Also diff foundational skills.")
@click.option("--skip-documents", is_flag=True, help="Do not fetch knowledge documents.")
@click.option(
    "--yaml-rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A yamllint configuration (rules of its relaxed and default presets).",
)
@click.option("--word-counts", is_flag=True, help="Also check the guidelines' word limits.")
@click.option("--attribution", is_flag=True, help="Require attribution.txt beside each leaf.")
@click.pass_context
def diff(
    ctx: click.Context,
    taxonomy_path: Path | None,
    taxonomy_base: str | None,
    quiet: bool,
    fmt: str,
    include_foundational: bool,
    skip_documents: bool,
    yaml_rules: Path | None,
    word_counts: bool,
    attribution: bool,
) -> None:
    """List changed leaves and every problem in them.

    Exit status: 0 when every changed leaf is valid, 1 when one is not, 2 for a usage error.
    """
    from instructlab.core import Taxonomy

    tax = Taxonomy(taxonomy_path, taxonomy_base, state(ctx).config_path)
    report = tax.validate(
        skip_documents=skip_documents,
        include_foundational=include_foundational,
        yaml_rules=yaml_rules,
        word_counts=word_counts,
        attribution=attribution,
    )
    _render(report, fmt, quiet)
    ctx.exit(0 if report.valid else 1)


def _render(report: ValidationReport, fmt: str, quiet: bool) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    if not quiet:
        for path in report.checked:
            click.echo(path)
    for problem in report.problems:
        if fmt == "github":
            click.echo(problem.github())
        else:
            colour = "red" if problem.severity == "error" else "yellow"
            click.secho(str(problem), fg=colour)
    if not quiet:
        colour = "green" if report.valid else "red"
        click.secho(report.summary(), fg=colour)


@taxonomy.command()
@click.option("--repository", help="Clone this URL or local repository instead of the example.")
@click.option("--full", is_flag=True, help="Clone the whole history (default: shallow).")
@click.option("--taxonomy-path", type=click.Path(path_type=Path), help="Where to create it.")
@click.pass_context
def init(
    ctx: click.Context, repository: str | None, full: bool, taxonomy_path: Path | None
) -> None:
    """Create your taxonomy (a clone, or a new repo seeded from the bundled example)."""
    from instructlab.core import Taxonomy

    path = Taxonomy(taxonomy_path, configuration=state(ctx).config_path).init(
        source=repository, shallow=not full
    )
    origin = repository or "the bundled example"
    click.echo(f"Created the taxonomy at {path} (from {origin})")
