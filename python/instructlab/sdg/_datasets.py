"""The ``datasets`` boundary: conversions between ``datasets.Dataset`` and the engine's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from instructlab import extras

if TYPE_CHECKING:
    from datasets import Dataset


def require_datasets() -> Any:
    """The ``datasets`` module, or an error naming the extra to install."""
    return extras.require("datasets", "sdg", "a datasets.Dataset at the SDG boundary")


def to_rows(data: Dataset | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a data set (a list of dicts is passed through)."""
    if isinstance(data, list):
        return [dict(r) for r in data]
    return list(data.to_list())


def from_rows(rows: list[dict[str, Any]]) -> Dataset:
    """A data set holding these rows."""
    datasets = require_datasets()
    result: Dataset = datasets.Dataset.from_list(rows)
    return result
