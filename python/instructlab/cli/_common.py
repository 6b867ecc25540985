"""What every command shares: errors as exit codes, config-backed defaults, output helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    """What the root command hands to subcommands."""

    config_path: Path | None
    verbose: int


def state(ctx: click.Context) -> State:
    """The root state of this invocation."""
    found = ctx.find_object(State)
    return found if found is not None else State(None, 0)


def warn(message: str) -> None:
    """A warning on stderr, marked so it stands out from output."""
    click.secho(f"Warning: {message}", fg="yellow", err=True)


class IlabGroup(click.Group):
    """A command group of ``ilab`` (errors become messages at the root: ``cli/_errors.py``)."""


def group(name: str, help_text: str) -> Callable[[F], IlabGroup]:
    """Declares a command group."""
    return click.group(name=name, cls=IlabGroup, help=help_text)


def detached_option(f: F) -> F:
    """``-dt/--detached``: run in the background, tracked by ``ilab process``."""
    return click.option(
        "-dt",
        "--detached",
        is_flag=True,
        help="Run in the background; follow it with `ilab process attach`.",
    )(f)


def human_size(num: int) -> str:
    """A byte count for people, in powers of 1024 (``512 B``, ``3.2 MiB``)."""
    value = float(num)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


class EndpointUrl(click.ParamType[str]):
    """An ``http(s)://host[:port]/...`` URL, checked before anything is sent."""

    name = "URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from instructlab.errors import UsageError
        from instructlab.llm.url import check_url

        try:
            return check_url(str(value))
        except UsageError as exc:
            detail = exc.message.split(": ", 1)[-1]
            self.fail(detail, param, ctx)


#: The type of every ``--endpoint-url`` option.
ENDPOINT_URL = EndpointUrl()
#: A count of one or more.
POSITIVE = click.IntRange(min=1)
#: A count of zero or more.
NON_NEGATIVE = click.IntRange(min=0)
