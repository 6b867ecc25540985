"""Value ranges written in type annotations: ``Annotated[int, Ge(1)]``.

They live below every package so that a typed record an engine owns (``GenerateOptions`` in
``instructlab.sdg``) can state its ranges in the same words as the SDK's signatures;
``instructlab.core._checked`` enforces them.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

__all__ = ["Fraction", "Ge", "Gt", "Le", "Lt", "NonNegative", "Positive"]


@dataclass(frozen=True)
class Ge:
    """At least ``bound``."""

    bound: float


@dataclass(frozen=True)
class Gt:
    """Above ``bound``."""

    bound: float


@dataclass(frozen=True)
class Le:
    """At most ``bound``."""

    bound: float


@dataclass(frozen=True)
class Lt:
    """Below ``bound``."""

    bound: float


#: A count that must be at least 1.
Positive = typing.Annotated[int, Ge(1)]
#: A count that may be 0.
NonNegative = typing.Annotated[int, Ge(0)]
#: A share between 0 and 1, both included.
Fraction = typing.Annotated[float, Ge(0), Le(1)]
