"""Blocks that reshape rows without a teacher: copy, rename, combine, select, flatten, populate,
and set a column to its most common value."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from instructlab.sdg.block import Block, Row
from instructlab.sdg.registry import BlockRegistry

if TYPE_CHECKING:
    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.runtime import BlockRun

__all__ = [
    "CombineColumnsBlock",
    "DuplicateColumnsBlock",
    "FlattenColumnsBlock",
    "RenameColumnsBlock",
    "SamplePopulatorBlock",
    "SelectorBlock",
    "SetToMajorityValueBlock",
]


class _RowBlock(Block):
    """A block that maps each row on its own; a row missing a column is a counted fault."""

    def map_row(self, row: Row) -> list[Row]:
        raise NotImplementedError

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        out: list[list[Row]] = []
        for i, row in enumerate(rows):
            try:
                out.append(self.map_row(row))
            except KeyError as exc:
                run.fault(i, "missing column", f"no column {exc.args[0]!r}")
                out.append([])
        return out


class _ColumnsMapBlock(_RowBlock):
    """A row block configured by ``columns_map``: existing column -> new column name."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        columns_map: dict[str, str],
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.columns_map = dict(columns_map)

    def columns_needed(self) -> set[str]:
        return set(self.columns_map)


@BlockRegistry.register("DuplicateColumnsBlock")
class DuplicateColumnsBlock(_ColumnsMapBlock):
    """Copies columns: ``columns_map`` maps an existing column to the name of its copy."""

    def columns_made(self, columns: set[str]) -> set[str]:
        return columns | set(self.columns_map.values())

    def map_row(self, row: Row) -> list[Row]:
        new = dict(row)
        for src, dst in self.columns_map.items():
            new[dst] = row[src]
        return [new]


@BlockRegistry.register("RenameColumnsBlock")
class RenameColumnsBlock(_ColumnsMapBlock):
    """Renames columns: ``columns_map`` maps old names to new ones (applied all at once)."""

    def columns_made(self, columns: set[str]) -> set[str]:
        return (columns - set(self.columns_map)) | set(self.columns_map.values())

    def map_row(self, row: Row) -> list[Row]:
        moved = {dst: row[src] for src, dst in self.columns_map.items()}
        new = {k: v for k, v in row.items() if k not in self.columns_map}
        new.update(moved)
        return [new]


@BlockRegistry.register("CombineColumnsBlock")
class CombineColumnsBlock(_RowBlock):
    """Joins text columns into ``output_col`` with ``separator`` (a blank line by default)."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        columns: list[str],
        output_col: str,
        separator: str = "\n\n",
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.columns = list(columns)
        self.output_col = output_col
        self.separator = separator

    def columns_needed(self) -> set[str]:
        return set(self.columns)

    def columns_made(self, columns: set[str]) -> set[str]:
        return columns | {self.output_col}

    def map_row(self, row: Row) -> list[Row]:
        new = dict(row)
        new[self.output_col] = self.separator.join(str(row[c]) for c in self.columns)
        return [new]


@BlockRegistry.register("SelectorBlock")
class SelectorBlock(_RowBlock):
    """Sets ``output_col`` to the column that ``choice_map[row[choice_col]]`` names."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        choice_map: dict[Any, str],
        choice_col: str,
        output_col: str,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.choice_map = dict(choice_map)
        self.choice_col = choice_col
        self.output_col = output_col

    def columns_needed(self) -> set[str]:
        return {self.choice_col, *self.choice_map.values()}

    def columns_made(self, columns: set[str]) -> set[str]:
        return columns | {self.output_col}

    def map_row(self, row: Row) -> list[Row]:
        choice = row[self.choice_col]
        if choice not in self.choice_map:
            # YAML keys may be read as numbers while the column holds text (or the reverse).
            matches = [k for k in self.choice_map if str(k) == str(choice)]
            if not matches:
                raise KeyError(f"{self.choice_col}={choice!r} (not in choice_map)")
            choice = matches[0]
        new = dict(row)
        new[self.output_col] = row[self.choice_map[choice]]
        return [new]


@BlockRegistry.register("FlattenColumnsBlock")
class FlattenColumnsBlock(_RowBlock):
    """Wide to long: one output row per column of ``var_cols``, holding the column's name in
    ``var_name`` and its value in ``value_name``; the other columns are copied."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        var_cols: list[str],
        value_name: str,
        var_name: str,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.var_cols = list(var_cols)
        self.value_name = value_name
        self.var_name = var_name

    def columns_needed(self) -> set[str]:
        return set(self.var_cols)

    def columns_made(self, columns: set[str]) -> set[str]:
        return (columns - set(self.var_cols)) | {self.value_name, self.var_name}

    def map_row(self, row: Row) -> list[Row]:
        base = {k: v for k, v in row.items() if k not in self.var_cols}
        out = []
        for col in self.var_cols:
            new = dict(base)
            new[self.var_name] = col
            new[self.value_name] = row[col]
            out.append(new)
        return out


@BlockRegistry.register("SamplePopulatorBlock")
class SamplePopulatorBlock(_RowBlock):
    """Merges into each row the YAML mapping chosen by ``row[column_name]``: the files of
    ``config_paths`` are known by their stem (``post_fix`` picks ``NAME_POSTFIX.yaml``)."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        config_paths: list[str],
        column_name: str,
        post_fix: str = "",
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.configs: dict[str, dict[str, Any]] = {}
        for path in config_paths:
            name = path.replace(".yaml", f"_{post_fix}.yaml") if post_fix else path
            self.configs[Path(path).stem] = self._load_config(name)
        self.column_name = column_name

    def fingerprint(self) -> dict[str, dict[str, Any]]:
        """The YAML mappings it merges into rows."""
        return self.configs

    def columns_needed(self) -> set[str]:
        return {self.column_name}

    def columns_made(self, columns: set[str]) -> set[str]:
        made = set(columns)
        for config in self.configs.values():
            made |= set(config)
        return made

    def map_row(self, row: Row) -> list[Row]:
        key = row[self.column_name]
        if key not in self.configs:
            raise KeyError(f"{self.column_name}={key!r} (no such config)")
        return [{**row, **self.configs[key]}]


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)


@BlockRegistry.register("SetToMajorityValueBlock")
class SetToMajorityValueBlock(Block):
    """Sets ``col_name`` of every row to the column's most common value (ties: the smallest).
    It needs every row at once."""

    whole_dataset: ClassVar[bool] = True

    def __init__(
        self, ctx: PipelineContext, config_dir: Path | None, block_name: str, col_name: str
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.col_name = col_name

    def columns_needed(self) -> set[str]:
        return {self.col_name}

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        present = [r[self.col_name] for r in rows if self.col_name in r]
        if not present:
            return [[dict(r)] for r in rows]
        counts = Counter(_hashable(v) for v in present)
        top = max(counts.values())
        winners = [v for v in present if counts[_hashable(v)] == top]
        try:
            majority = min(winners)
        except TypeError:
            majority = winners[0]
        return [[{**r, self.col_name: majority}] for r in rows]
