"""The block: one step of a pipeline, with one abstract method.

A block maps input rows to output rows. Most blocks look at one row at a time, so the engine
streams rows through them; a block that needs every row at once (``whole_dataset = True``, such as
:class:`~instructlab.sdg.blocks.columns.SetToMajorityValueBlock`) makes the engine wait for all its
input first. Rows are plain ``dict`` objects inside the engine; ``datasets.Dataset`` appears only at
the boundary (:meth:`Block.generate`, :class:`DatasetBlock`), so the engine needs no Arrow at all.

A block knows nothing of the pipeline it is in: it gets the run's context and the folder its
prompt config files are read from (the folder of the pipeline file that declares it). It also
says, without running, what it would cost (:meth:`Block.estimate`) and what besides its entry
in the pipeline file decides its output (:meth:`Block.fingerprint`).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from instructlab.errors import FileError
from instructlab.fileio import read_text
from instructlab.sdg.errors import BlockConfigParserError

if TYPE_CHECKING:
    from datasets import Dataset

    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.runtime import BlockRun

Row = dict[str, Any]

__all__ = ["Block", "DatasetBlock", "Estimate", "Row"]


@dataclass(frozen=True)
class Estimate:
    """What a block does with some input rows, at most (filters assumed to keep everything)."""

    #: Requests sent to the teacher.
    requests: int = 0
    #: Sequences the teacher generates (a request for ``n`` samples makes ``n``).
    sequences: int = 0
    #: Rows the block passes on.
    rows_out: int = 0


class Block(ABC):
    """One step of a pipeline.

    Subclasses implement :meth:`process`. Their ``__init__`` takes ``(ctx, config_dir,
    block_name, **config)`` where ``config`` is the block's ``config`` mapping from the pipeline
    file and ``config_dir`` the folder its relative prompt config paths are read from (None:
    the package's). A block written for instructlab-sdg, whose second argument was the
    pipeline, passes it on unchanged and works as before unless it read ``self.pipe``.
    """

    #: True when the block needs every row of the data set at once (the engine waits for them).
    whole_dataset: ClassVar[bool] = False

    def __init__(
        self, ctx: PipelineContext, config_dir: str | Path | None, block_name: str
    ) -> None:
        self.ctx = ctx
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self.block_name = block_name

    @abstractmethod
    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        """Output rows for each input row, in input order (an empty list drops that row).

        ``run`` gives the row ids, the teacher, the request cache and the drop counters.
        """

    # -- what a block says without running ----------------------------------------------------

    def estimate(self, rows: int) -> Estimate:
        """What this block does with ``rows`` input rows, at most (none sent by default)."""
        return Estimate(0, 0, rows)

    def fingerprint(self) -> Any:
        """JSON-ready content that decides this block's output besides its entry in the pipeline
        file: the prompt files it read, its generation settings (None: nothing more)."""
        return None

    # -- what blocks need at construction ----------------------------------------------------

    def columns_needed(self) -> set[str]:
        """Columns this block reads (checked before any request)."""
        return set()

    def columns_made(self, columns: set[str]) -> set[str]:
        """The columns present after this block, given those present before it."""
        return set(columns)

    def _config_file(self, config_path: str) -> Path:
        """A prompt config path: absolute, or relative to ``config_dir``, else the package.

        A copy of a built-in pipeline (in the user's pipeline directory, say) keeps the built-in
        layout's paths (``../../configs/...``); those are found in the package when nothing is
        beside the copied file.
        """
        path = Path(config_path)
        if path.is_absolute():
            return path
        package = Path(__file__).parent
        if self.config_dir is None:
            return package / path
        beside = self.config_dir / path
        if beside.exists():
            return beside
        for base in (package / "pipelines" / "simple", package):
            packaged = Path(os.path.normpath(base / path))
            if packaged.is_relative_to(package) and packaged.is_file():
                return packaged
        return beside

    def _load_config(self, config_path: str) -> dict[str, Any]:
        """A prompt config file (system/introduction/principles/examples/generation, tags)."""
        import yaml

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
        import asyncio

        from instructlab.sdg._datasets import from_rows, to_rows
        from instructlab.sdg.runtime import standalone_run

        rows = to_rows(samples)
        run = standalone_run(self)

        async def go() -> list[list[Row]]:
            try:
                return await self.process(rows, run)
            finally:
                if run.teacher.client is not None:
                    await run.teacher.client.aclose()

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
