"""``ilab taxonomy``: initialise, diff and validate a taxonomy."""

from __future__ import annotations

from pathlib import Path

import click

from instructlab.cli._common import group, state


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
@click.option("--yaml-rules", type=click.Path(exists=True, path_type=Path), help="yamllint config.")
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
) -> None:
    """List changed leaves and every problem in them."""
    from instructlab.core import Taxonomy

    tax = Taxonomy(taxonomy_path, taxonomy_base, state(ctx).config_path)
    tax.validate(skip_documents=skip_documents)


@taxonomy.command()
@click.option("--repository", help="Clone this URL or local repository instead of the example.")
@click.pass_context
def init(ctx: click.Context, repository: str | None) -> None:
    """Create your taxonomy (a clone, or a new repo seeded from the bundled example)."""
    from instructlab.core import Taxonomy

    Taxonomy(configuration=state(ctx).config_path).init(source=repository)
