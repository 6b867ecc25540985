"""The root ``ilab`` command and its global options."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from instructlab import __version__
from instructlab.cli import config as config_cmds
from instructlab.cli import data, model, process, rag, system, taxonomy
from instructlab.cli._common import IlabGroup, State, warn
from instructlab.cli._errors import exit_code_for, leaf_command
from instructlab.errors import ConfigError, FileError
from instructlab.system.jobs.children import terminate_on_signals

# Commands that must work with a broken config file: they exist to create or repair it.
_CONFIG_TOLERANT = {"config"}
# Commands that need no configuration once these options are all on the command line (none:
# never): they skip reading it. Building the configuration model (pydantic) costs more than a
# one-leaf diff, and a third of a small `ilab data dedup`.
_CONFIG_FREE: dict[tuple[str, str], tuple[str, ...]] = {
    ("taxonomy", "diff"): ("--taxonomy-path", "--taxonomy-base"),
    ("data", "dedup"): (),
    ("data", "filter"): (),
    ("data", "decontaminate"): (),
    ("process", "list"): (),
    ("process", "attach"): (),
    ("process", "remove"): (),
    ("process", "prune"): (),
}


def _needs_config(subcommand: str | None, args: list[str]) -> bool:
    """Whether the command about to run reads the configuration at all."""
    if subcommand is None or len(args) < 1 or "--help" in args:
        return True
    options = _CONFIG_FREE.get((subcommand, args[0]))
    if options is None:
        return True
    given = {a.split("=", 1)[0] for a in args[1:]}
    return not all(o in given for o in options)


_ARGS = "instructlab.args"


class RootGroup(IlabGroup):
    """The root group: it keeps the arguments after the subcommand's name (for the callback and
    the error boundary) and is the one place errors become messages and exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        ctx.meta[_ARGS] = list(rest)
        return rest

    def invoke(self, ctx: click.Context) -> Any:
        with terminate_on_signals():
            try:
                return super().invoke(ctx)
            except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
                raise
            except BaseException as error:  # the boundary: every error ends here
                words = [ctx.invoked_subcommand or "", *ctx.meta.get(_ARGS, [])]
                command = leaf_command(self, words)
                ctx.exit(exit_code_for(error, command, ctx.params.get("verbose") or 0))


@click.group(name="ilab", cls=RootGroup, context_settings={"auto_envvar_prefix": "ILAB"})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Configuration file.  [default: ~/.config/instructlab/config.yaml]",
)
@click.option("-v", "--verbose", count=True, help="More detail (repeat for more).")
@click.version_option(__version__, "--version", prog_name="ilab")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, verbose: int) -> None:
    """Teach a language model new skills and knowledge from a taxonomy of YAML files.

    Typical flow: `ilab config init`, edit your taxonomy, `ilab taxonomy diff`,
    `ilab data generate`, `ilab model train`, `ilab model evaluate`, `ilab model serve`.
    """
    ctx.obj = State(config_file, verbose)
    if config_file is None and not _needs_config(ctx.invoked_subcommand, ctx.meta.get(_ARGS, [])):
        return  # an explicitly named configuration is always read (and its problems shown)
    from instructlab.cli.defaults import default_map
    from instructlab.config import Config, load_config

    try:
        loaded = load_config(config_file)
    except (ConfigError, FileError) as exc:
        if ctx.invoked_subcommand in _CONFIG_TOLERANT or "--help" in sys.argv:
            warn(f"{exc.message}\nUsing built-in defaults.")
            ctx.default_map = default_map(Config())
            return
        raise
    for problem in loaded.warnings:
        warn(str(problem))
    ctx.default_map = default_map(loaded.config)


cli.add_command(config_cmds.config)
cli.add_command(taxonomy.taxonomy)
cli.add_command(data.data)
cli.add_command(model.model)
cli.add_command(rag.rag)
cli.add_command(system.system)
cli.add_command(process.process)
# InstructLab's top-level aliases: the same command objects under a second name.
cli.add_command(data.generate, "generate")
cli.add_command(model.train, "train")
cli.add_command(model.serve, "serve")
cli.add_command(model.chat, "chat")


def main() -> None:
    """The console-script entry point."""
    try:
        cli.main(prog_name="ilab")
    except (click.exceptions.Exit, SystemExit):
        raise
    except BaseException as error:  # outside a command: same boundary
        sys.exit(exit_code_for(error, None, 0))
