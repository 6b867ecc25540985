"""Optional dependencies, imported when first needed: one way to ask for one, and one error
(:class:`~instructlab.errors.MissingExtra`) naming the extra that brings it."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from instructlab.errors import MissingExtra

__all__ = ["installed", "require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Imports ``module``; :class:`MissingExtra` says that ``feature`` needs ``extra`` when the
    module (or one it imports) is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module.split(".")[0]
        raise MissingExtra(feature, extra, f"Python module '{missing}' is missing") from None


def installed(module: str) -> bool:
    """Whether ``module`` can be imported (found without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
