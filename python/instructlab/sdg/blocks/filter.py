"""FilterByValueBlock: keeps the rows whose column compares true with one of the given values."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from instructlab.sdg.block import Block, Row
from instructlab.sdg.errors import BlockConfigParserError
from instructlab.sdg.registry import BlockRegistry

if TYPE_CHECKING:
    from pathlib import Path

    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.runtime import BlockRun

__all__ = ["OPERATIONS", "FilterByValueBlock"]

#: The comparisons a filter may use: ``column OP value``.
OPERATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "contains": operator.contains,
}

_DTYPES: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "int": (int, 0),
    "float": (float, 0.0),
    "bool": (bool, False),
}


@BlockRegistry.register("FilterByValueBlock")
class FilterByValueBlock(Block):
    """Keeps a row when ``row[filter_column] OPERATION v`` holds for any ``v`` in
    ``filter_value``, after converting the column with ``convert_dtype`` (a value that does not
    convert becomes ``default_value``: 0, 0.0 or False unless given)."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        filter_column: str,
        filter_value: Any,
        operation: str,
        convert_dtype: str | None = None,
        default_value: Any = None,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        if operation not in OPERATIONS:
            raise BlockConfigParserError(
                f"{block_name}: unknown operation {operation!r} "
                f"(expected one of {', '.join(OPERATIONS)})"
            )
        self.column = filter_column
        self.op_name = operation
        self.op = OPERATIONS[operation]
        self.convert: Callable[[Any], Any] | None = None
        self.default: Any = None
        if convert_dtype:
            if convert_dtype not in _DTYPES:
                raise BlockConfigParserError(
                    f"{block_name}: unknown convert_dtype {convert_dtype!r} (int, float or bool)"
                )
            self.convert, self.default = _DTYPES[convert_dtype]
            if default_value is not None:
                self.default = self.convert(default_value)
        values = filter_value if isinstance(filter_value, list) else [filter_value]
        self.values = [self._convert(v) for v in values]
        shown = self.values[0] if len(self.values) == 1 else self.values
        self.reason = f"filtered: {filter_column} {operation} {shown!r} is false"

    def _convert(self, value: Any) -> Any:
        if self.convert is None:
            return value
        try:
            return self.convert(value)
        except (TypeError, ValueError):
            return self.default

    def columns_needed(self) -> set[str]:
        return {self.column}

    def keep(self, row: Row) -> bool:
        """Whether the row passes."""
        value = self._convert(row.get(self.column))
        for v in self.values:
            try:
                if self.op(value, v):
                    return True
            except TypeError:
                continue
        return False

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        out: list[list[Row]] = []
        for row in rows:
            if self.keep(row):
                if self.convert is not None:
                    row = dict(row)
                    row[self.column] = self._convert(row.get(self.column))
                out.append([row])
            else:
                run.drop(self.reason)
                out.append([])
        return out
