"""The block: one step of a pipeline, with one abstract method.

A block maps input rows to output rows. Most blocks look at one row at a time, so the engine
streams rows through them; a block that needs every row at once (``whole_dataset = True``, such as
:class:`~instructlab.sdg.blocks.columns.SetToMajorityValueBlock`) makes the engine wait for all its
input first. Rows are plain ``dict`` objects inside the engine; ``datasets.Dataset`` appears only at
the boundary (:meth:`Block.generate`, :class:`DatasetBlock`), so the engine needs no Arrow at all.
"""

from __future__ import annotations

import asyncio
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from instructlab.errors import FileError
from instructlab.fileio import read_text
from instructlab.sdg.errors import BlockConfigParserError

if TYPE_CHECKING:
    from datasets import Dataset

    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.pipeline import Pipeline
    from instructlab.sdg.runtime import BlockRun

Row = dict[str, Any]

__all__ = ["Block", "DatasetBlock", "Row"]


class Block(ABC):
    """One step of a pipeline.

    Subclasses implement :meth:`process`. Their ``__init__`` takes ``(ctx, pipe, block_name,
    **config)`` where ``config`` is the block's ``config`` mapping from the pipeline file.
    """

    #: True when the block needs every row of the data set at once (the engine waits for them).
    whole_dataset: ClassVar[bool] = False

    def __init__(self, ctx: PipelineContext, pipe: Pipeline | None, block_name: str) -> None:
        self.ctx = ctx
        self.pipe = pipe
        self.block_name = block_name

    @abstractmethod
    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        """Output rows for each input row, in input order (an empty list drops that row).

        ``run`` gives the row ids, the teacher, the request cache and the drop counters.
        """

    # -- what blocks need at construction ----------------------------------------------------

    def columns_needed(self) -> set[str]:
        """Columns this block reads (checked before any request)."""
        return set()

    def columns_made(self, columns: set[str]) -> set[str]:
        """The columns present after this block, given those present before it."""
        return set(columns)

    def _config_file(self, config_path: str) -> Path:
        """A prompt config path: absolute, or relative to the pipeline file, else the package.

        A copy of a built-in pipeline (in the user's pipeline directory, say) keeps the built-in
        layout's paths (``../../configs/...``); those are found in the package when nothing is
        beside the copied file.
        """
        path = Path(config_path)
        if path.is_absolute():
            return path
        package = Path(__file__).parent
        if self.pipe is None or self.pipe.config_path is None:
            return package / path
        beside = Path(self.pipe.config_path).parent / path
        if beside.exists():
            return beside
        for base in (package / "pipelines" / "simple", package):
            packaged = Path(os.path.normpath(base / path))
            if packaged.is_relative_to(package) and packaged.is_file():
                return packaged
        return beside

    def _load_config(self, config_path: str) -> dict[str, Any]:
        """A prompt config file (system/introduction/principles/examples/generation, tags)."""
        path = self._config_file(config_path)
        try:
            loaded = yaml.safe_load(read_text(path, what="a prompt config file"))
        except FileError as exc:
            raise BlockConfigParserError(f"{self.block_name}: {exc.message}") from None
        except yaml.YAMLError as exc:
            raise BlockConfigParserError(f"{self.block_name}: cannot read {path}: {exc}") from None
        if not isinstance(loaded, dict):
            raise BlockConfigParserError(f"{self.block_name}: {path} is not a YAML mapping")
        return loaded

    # -- the datasets boundary -----------------------------------------------------------------

    def generate(self, samples: Dataset | list[Row]) -> Any:
        """Runs this block alone over a ``datasets.Dataset`` (needs the ``sdg`` extra) or a list
        of dicts; returns the same kind."""
        from instructlab.sdg._datasets import from_rows, to_rows
        from instructlab.sdg.runtime import standalone_run

        rows = to_rows(samples)
        run = standalone_run(self)

        async def go() -> list[list[Row]]:
            try:
                return await self.process(rows, run)
            finally:
                if run.engine.client is not None:
                    await run.engine.client.aclose()

        outputs = asyncio.run(go())
        flat = [row for out in outputs for row in out]
        return flat if isinstance(samples, list) else from_rows(flat)


class DatasetBlock(Block):
    """A block written the instructlab-sdg way: implement ``generate(Dataset) -> Dataset``.

    It sees the whole data set at once, so the engine waits for all rows before it; rows it
    returns are new rows (their order is kept).
    """

    whole_dataset: ClassVar[bool] = True

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        from instructlab.sdg._datasets import from_rows, to_rows

        result = to_rows(self.generate(from_rows(rows)))
        # Every output row is attributed to the first input row so that ids stay unique.
        return [result] + [[] for _ in rows[1:]] if rows else []

    def generate(self, samples: Dataset) -> Dataset:  # pragma: no cover - abstract by contract
        raise NotImplementedError(f"{type(self).__name__} must implement generate()")
