"""`Pipeline`: blocks read from a pipeline file and checked before any request.

This module is the data and its parsing: which blocks, in which order, with which dedup and
column drops, what they would cost (:meth:`Pipeline.estimate`) and what decides their output
(:meth:`Pipeline.fingerprint`). Running rows through a pipeline belongs to
:mod:`instructlab.sdg.runtime`; :meth:`Pipeline.generate` (instructlab-sdg's method) hands over
to it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.sdg.block import Block, Estimate
from instructlab.sdg.context import PipelineContext
from instructlab.sdg.errors import PipelineConfigParserError, PipelineProblem
from instructlab.sdg.registry import BlockRegistry

if TYPE_CHECKING:
    from instructlab.sdg.fileformat import BlockEntry

__all__ = ["Pipeline", "PipelineBlock"]

log = logging.getLogger("instructlab.sdg")


@dataclass
class PipelineBlock:
    """A block in its pipeline: its name, type, dedup and column drops, the ``config`` it was
    built from, and the file that declares it."""

    name: str
    type: str
    block: Block
    file: Path | None = None
    drop_duplicates: list[str] = field(default_factory=list)
    drop_columns: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)


def _build(
    ctx: PipelineContext, spec: dict[str, Any], file: Path | None, problems: list[PipelineProblem]
) -> PipelineBlock | None:
    """The block a spec (``name``, ``type``, ``config``, ``drop_*``) describes, or None with its
    problem recorded. Relative prompt paths are read from the folder of ``file``."""
    name, btype = str(spec.get("name")), str(spec.get("type"))
    where = str(file) if file else "<pipeline>"
    cls = BlockRegistry.lookup(btype)
    if cls is None:
        problems.append(PipelineProblem(where, name, f"unknown block type {btype!r}"))
        return None
    config = dict(spec.get("config") or {})
    try:
        block = cls(ctx, file.parent if file is not None else None, name, **config)
    except TypeError as exc:
        problems.append(PipelineProblem(where, name, f"bad config: {exc}"))
        return None
    except Exception as exc:
        message = str(exc)
        prefix = f"{name}: "
        problems.append(
            PipelineProblem(
                where, name, message[len(prefix) :] if message.startswith(prefix) else message
            )
        )
        return None
    return PipelineBlock(
        name,
        btype,
        block,
        file,
        list(spec.get("drop_duplicates") or []),
        list(spec.get("drop_columns") or []),
        config,
    )


def _spec(entry: BlockEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "type": entry.type,
        "config": entry.config,
        "drop_duplicates": entry.drop_duplicates,
        "drop_columns": entry.drop_columns,
    }


class Pipeline:
    """A chain of blocks. Build one with :meth:`from_file` (or from block specs, as
    instructlab-sdg does); run it with :meth:`generate` or :func:`instructlab.sdg.runtime.run`."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_path: str | Path | None = None,
        chained_blocks: list[dict[str, Any]] | None = None,
        auxiliary_inst: dict[str, list[str]] | None = None,
        *,
        blocks: Sequence[PipelineBlock] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        """``chained_blocks`` are block specs (``name``, ``type``, ``config``, ``drop_*``), built
        here with prompt paths relative to ``config_path``'s folder; ``blocks`` are built ones."""
        self.ctx = ctx
        self.config_path = Path(config_path) if config_path is not None else None
        self.auxiliary_inst = dict(auxiliary_inst or {})
        self.blocks: list[PipelineBlock] = list(blocks)
        self.warnings: list[str] = list(warnings)
        problems: list[PipelineProblem] = []
        for spec in chained_blocks or []:
            built = _build(ctx, spec, self.config_path, problems)
            if built is not None:
                self.blocks.append(built)
        if problems:
            raise PipelineConfigParserError(problems)

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
        for w in parsed.warnings:
            log.warning("%s", w)
        # Each block reads its prompt files beside the file that declares it (an imported file's
        # blocks beside that file).
        built = [_build(ctx, _spec(entry), entry.file, problems) for entry in parsed.blocks]
        pipe = cls(
            ctx,
            path,
            auxiliary_inst=parsed.auxiliary_instructions,
            blocks=[b for b in built if b is not None],
            warnings=parsed.warnings,
        )
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

    def estimate(self, rows: int) -> Estimate:
        """What running ``rows`` seed rows through the chain would cost, at most."""
        requests = sequences = 0
        for b in self.blocks:
            step = b.block.estimate(rows)
            requests += step.requests
            sequences += step.sequences
            rows = step.rows_out
        return Estimate(requests, sequences, rows)

    def fingerprint(self) -> str:
        """A digest of everything that decides this pipeline's output: each block's entry in the
        pipeline file (name, type, config, dedup and column drops) and what it read besides
        (:meth:`Block.fingerprint`: prompt files, resolved generation settings)."""
        parts = [
            [b.name, b.type, b.config, b.drop_duplicates, b.drop_columns, b.block.fingerprint()]
            for b in self.blocks
        ]
        text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

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
        auxiliary: dict[str, list[str]] = {}
        for p in pipelines:
            for k, v in p.auxiliary_inst.items():
                auxiliary.setdefault(k, v)
        return Pipeline(
            pipelines[0].ctx,
            pipelines[0].config_path,
            auxiliary_inst=auxiliary,
            blocks=[b for p in pipelines for b in p.blocks],
            warnings=[w for p in pipelines for w in p.warnings],
        )

    def generate(self, dataset: Any, checkpoint_name: str | None = None) -> Any:
        """Runs the pipeline (sync): see :func:`instructlab.sdg.runtime.generate`."""
        from instructlab.sdg.runtime import generate

        return generate(self, dataset, checkpoint_name)
