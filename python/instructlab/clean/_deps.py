"""Lazy imports of the data extra (numpy, pyarrow), failing with the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from instructlab.errors import UsageError


def require(module: str) -> ModuleType:
    """Imports ``module`` or raises a :class:`UsageError` naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise UsageError(
            f"cleaning data needs {module.split('.')[0]}: pip install 'instructlab[data]' ({err})"
        ) from err


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
