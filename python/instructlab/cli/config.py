"""``ilab config``: create, show and edit the configuration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from instructlab.cli._common import group, state, warn

if TYPE_CHECKING:
    from instructlab.core import Config


@group("config", "Create, show and edit the configuration.")
def config() -> None:
    pass


def _sdk(ctx: click.Context) -> Config:
    from instructlab.core import Config

    return Config(state(ctx).config_path)


@config.command()
@click.option(
    "--interactive/--non-interactive",
    default=True,
    help="Ask for each setting, or write the defaults.",
)
@click.option(
    "--profile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A partial config.yaml laid over the defaults, instead of the detected profile.",
)
@click.option("--taxonomy-path", type=click.Path(path_type=Path), help="Taxonomy repository.")
@click.option("--model-path", type=click.Path(path_type=Path), help="Model to serve and chat with.")
@click.pass_context
def init(
    ctx: click.Context,
    interactive: bool,
    profile: Path | None,
    taxonomy_path: Path | None,
    model_path: Path | None,
) -> None:
    """Write config.yaml, create the data directories and pick a profile for this machine."""
    from instructlab.config import paths

    sdk = _sdk(ctx)
    if interactive:
        if sdk.config_file.exists() and not click.confirm(
            f"{sdk.config_file} exists. Replace it?", default=False
        ):
            raise click.Abort
        taxonomy_path = Path(
            click.prompt("Taxonomy repository", default=str(taxonomy_path or paths.taxonomy_dir()))
        )
        answer = click.prompt(
            "Model to serve and chat with (Enter for the embedded SmolLM2)",
            default=str(model_path) if model_path else "",
            show_default=False,
        )
        model_path = Path(answer) if answer else None
    result = sdk.init(profile=profile, taxonomy_path=taxonomy_path, model_path=model_path)
    for problem in result.warnings:
        warn(str(problem))
    click.echo(f"Profile: {result.profile} ({result.profile_description})")
    click.echo(f"Wrote {result.config_file}")
    click.echo("Data directories are ready under " + str(paths.data_dir()))
    if result.taxonomy_created is not None:
        click.echo(f"Created the taxonomy at {result.taxonomy_created} (from the bundled example)")


@config.command()
@click.option("-k", "--key", help="Show one key, e.g. generate.pipeline.")
@click.pass_context
def show(ctx: click.Context, key: str | None) -> None:
    """Print the configuration in effect (with comments), or one key."""
    click.echo(_sdk(ctx).show(key), nl=False)


@config.command()
@click.pass_context
def edit(ctx: click.Context) -> None:
    """Open config.yaml in $EDITOR; it is checked again when you save."""
    from instructlab.errors import ConfigError

    sdk = _sdk(ctx)
    if not sdk.config_file.exists():
        raise click.ClickException(
            f"{sdk.config_file} does not exist; create it with `ilab config init`"
        )
    while True:
        click.edit(filename=str(sdk.config_file))
        try:
            loaded = sdk.check()
        except ConfigError as exc:
            click.secho(exc.message, fg="red", err=True)
            if click.confirm("Edit again?", default=True):
                continue
            raise click.ClickException(
                f"{sdk.config_file} is not valid; fix it before use"
            ) from None
        for problem in loaded.warnings:
            warn(str(problem))
        click.echo(f"{sdk.config_file} is valid.")
        return
