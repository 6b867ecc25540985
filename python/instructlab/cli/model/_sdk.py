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
