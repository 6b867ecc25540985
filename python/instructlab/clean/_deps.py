"""Lazy imports of the data extra (numpy, pyarrow), failing with the extra to install."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from instructlab import extras


def require(module: str) -> ModuleType:
    """Imports ``module`` of the ``data`` extra (numpy, pyarrow)."""
    return extras.require(module, "data", "cleaning data")


def text_column(column: Any) -> Any:
    """What the native kernels accept for one text column.

    pyarrow arrays and chunked arrays (and anything else with ``__arrow_c_array__`` or
    ``__arrow_c_stream__``) pass through untouched; a ``datasets`` column object is turned into
    its Arrow data; any other sequence becomes a list.
    """
    if hasattr(column, "__arrow_c_stream__") or hasattr(column, "__arrow_c_array__"):
        return column
    if isinstance(column, list):
        return column
    return list(column)
