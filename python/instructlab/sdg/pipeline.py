"""`Pipeline`: blocks read from a pipeline file, checked before any request, run as a stream."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.sdg.block import Block, Row
from instructlab.sdg.context import PipelineContext
from instructlab.sdg.errors import PipelineConfigParserError, PipelineProblem
from instructlab.sdg.registry import BlockRegistry

if TYPE_CHECKING:
    from instructlab.sdg.runtime import BlockStats, Engine

__all__ = ["Pipeline", "PipelineBlock"]

log = logging.getLogger("instructlab.sdg")


@dataclass
class PipelineBlock:
    """A block in its pipeline: its name, type, dedup and column drops, and where it came from."""

    name: str
    type: str
    block: Block
    file: Path | None = None
    drop_duplicates: list[str] = field(default_factory=list)
    drop_columns: list[str] = field(default_factory=list)


class Pipeline:
    """A chain of blocks. Build one with :meth:`from_file` (or from block specs), run it with
    :meth:`generate` (sync, ``datasets.Dataset`` or a list of dicts) or :meth:`run` (async)."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_path: str | Path | None = None,
        chained_blocks: list[dict[str, Any]] | None = None,
        auxiliary_inst: dict[str, list[str]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.config_path = Path(config_path) if config_path is not None else None
        self.auxiliary_inst = dict(auxiliary_inst or {})
        self.blocks: list[PipelineBlock] = []
        self.warnings: list[str] = []
        problems: list[PipelineProblem] = []
        for spec in chained_blocks or []:
            self._add(spec, self.config_path, problems)
        if problems:
            raise PipelineConfigParserError(problems)

    def _add(
        self, spec: dict[str, Any], file: Path | None, problems: list[PipelineProblem]
    ) -> None:
        name, btype = str(spec.get("name")), str(spec.get("type"))
        where = str(file) if file else "<pipeline>"
        cls = BlockRegistry.lookup(btype)
        if cls is None:
            problems.append(PipelineProblem(where, name, f"unknown block type {btype!r}"))
            return
        try:
            block = cls(self.ctx, self, name, **(spec.get("config") or {}))
        except TypeError as exc:
            problems.append(PipelineProblem(where, name, f"bad config: {exc}"))
            return
        except Exception as exc:
            message = str(exc)
            prefix = f"{name}: "
            problems.append(
                PipelineProblem(
                    where, name, message[len(prefix) :] if message.startswith(prefix) else message
                )
            )
            return
        self.blocks.append(
            PipelineBlock(
                name,
                btype,
                block,
                file,
                list(spec.get("drop_duplicates") or []),
                list(spec.get("drop_columns") or []),
            )
        )

    @classmethod
    def from_file(
        cls,
        ctx: PipelineContext,
        pipeline_yaml: str | Path,
        input_columns: set[str] | list[str] | None = None,
    ) -> Pipeline:
        """Reads and checks a pipeline file; every problem is reported at once, before any
        request. With ``input_columns``, also checks that each block's columns exist."""
        from instructlab.sdg.fileformat import read_pipeline_file

        path = Path(pipeline_yaml)
        if not path.is_absolute() and not path.exists():
            packaged = Path(__file__).parent / path
            if packaged.exists():
                path = packaged
        parsed = read_pipeline_file(path, set(BlockRegistry.get_registry()) | {"ImportBlock"})
        problems = list(parsed.problems)
        pipe = cls.__new__(cls)
        pipe.ctx = ctx
        pipe.config_path = path
        pipe.auxiliary_inst = parsed.auxiliary_instructions
        pipe.blocks = []
        pipe.warnings = parsed.warnings
        for w in parsed.warnings:
            log.warning("%s", w)
        for entry in parsed.blocks:
            pipe.config_path = entry.file  # prompt files are relative to the file of the block
            pipe._add(
                {
                    "name": entry.name,
                    "type": entry.type,
                    "config": entry.config,
                    "drop_duplicates": entry.drop_duplicates,
                    "drop_columns": entry.drop_columns,
                },
                entry.file,
                problems,
            )
        pipe.config_path = path
        if input_columns is not None and not problems:
            problems.extend(pipe.check_columns(input_columns))
        if problems:
            raise PipelineConfigParserError(problems)
        return pipe

    def check_columns(self, input_columns: set[str] | list[str]) -> list[PipelineProblem]:
        """Blocks that read a column (a Jinja variable, a filter column…) no earlier step makes."""
        columns = set(input_columns)
        problems = []
        for b in self.blocks:
            missing = b.block.columns_needed() - columns
            if missing:
                problems.append(
                    PipelineProblem(
                        str(b.file or self.config_path or "<pipeline>"),
                        b.name,
                        f"reads {', '.join(sorted(missing))}, which no column provides "
                        f"(available: {', '.join(sorted(columns)) or 'none'})",
                    )
                )
            columns = b.block.columns_made(columns) - set(b.drop_columns)
        return problems

    def output_columns(self, input_columns: set[str] | list[str]) -> set[str]:
        """The columns the output rows will have."""
        columns = set(input_columns)
        for b in self.blocks:
            columns = b.block.columns_made(columns) - set(b.drop_columns)
        return columns

    def __add__(self, other: Pipeline) -> Pipeline:
        """The two chains one after the other (block names must stay unique)."""
        return Pipeline.combine(self, other)

    @staticmethod
    def combine(*pipelines: Pipeline) -> Pipeline:
        """One pipeline running the blocks of each, in order."""
        if not pipelines:
            raise ValueError("combine() needs at least one pipeline")
        names = [b.name for p in pipelines for b in p.blocks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PipelineConfigParserError(
                [PipelineProblem("<combined>", n, "two blocks share this name") for n in dupes]
            )
        out = Pipeline.__new__(Pipeline)
        out.ctx = pipelines[0].ctx
        out.config_path = pipelines[0].config_path
        out.auxiliary_inst = {}
        out.warnings = []
        out.blocks = []
        for p in pipelines:
            out.blocks.extend(p.blocks)
            out.warnings.extend(p.warnings)
            for k, v in p.auxiliary_inst.items():
                out.auxiliary_inst.setdefault(k, v)
        return out

    # -- running -------------------------------------------------------------------------------

    def new_stats(self) -> dict[str, BlockStats]:
        """Empty counters, one per block."""
        from instructlab.sdg.runtime import BlockStats

        return {b.name: BlockStats(b.name, b.type) for b in self.blocks}

    async def run(
        self, rows: list[Row], engine: Engine, stats: dict[str, BlockStats] | None = None
    ) -> list[Row]:
        """Runs the pipeline over rows (async); ``stats`` collects per-block counters."""
        from instructlab.sdg.executor import run_blocks

        return await run_blocks(self.blocks, rows, engine, stats or self.new_stats())

    def generate(self, dataset: Any, checkpoint_name: str | None = None) -> Any:
        """Runs the pipeline (sync). Takes and returns a ``datasets.Dataset`` (or a list of
        dicts). With the context's ``checkpoint_dir`` and a ``checkpoint_name``, answered
        requests are kept on disk and a second call resumes."""
        from instructlab.llm.cache import RequestCache
        from instructlab.sdg._datasets import from_rows, to_rows
        from instructlab.sdg.runtime import Engine

        as_list = isinstance(dataset, list)
        rows = to_rows(dataset)
        cache_path = None
        if self.ctx.checkpoint_dir is not None and checkpoint_name is not None:
            cache_path = Path(self.ctx.checkpoint_dir) / checkpoint_name / "requests.jsonl"
        cache = RequestCache(cache_path)

        async def go() -> list[Row]:
            client = self.ctx.llm() if self.ctx.client is not None else None
            try:
                return await self.run(rows, Engine(client, cache, checkpoint_name or "-"))
            finally:
                if client is not None:
                    await client.aclose()

        try:
            out = asyncio.run(go())
        finally:
            cache.close()
            self.ctx._client = None  # its connections belonged to the finished event loop
        return out if as_list else from_rows(out)
