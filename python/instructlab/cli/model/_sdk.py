"""The SDK object every ``ilab model`` command calls."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from instructlab.cli._common import state

if TYPE_CHECKING:
    from instructlab.core import Model


def sdk(ctx: click.Context, student: str | Path | None = None) -> Model:
    """`Model` with this invocation's configuration (and ``student`` as its default model)."""
    from instructlab.core import Model

    return Model(student, state(ctx).config_path)


def given(ctx: click.Context, name: str, value: str | None) -> str | None:
    """``value`` when the user gave it (flag or environment variable), else None: a model
    setting left to the configuration is then the SDK's to choose (the newest checkpoint when
    the configuration names only the built-in default)."""
    from click.core import ParameterSource

    source = ctx.get_parameter_source(name)
    return None if source in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP) else value
