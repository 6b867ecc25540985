"""IterBlock: runs another block several times over the same rows and keeps every output."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from instructlab.sdg.block import Block, Estimate, Row
from instructlab.sdg.errors import BlockConfigParserError
from instructlab.sdg.registry import BlockRegistry

if TYPE_CHECKING:
    from pathlib import Path

    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.runtime import BlockRun

__all__ = ["IterBlock"]


@BlockRegistry.register("IterBlock")
class IterBlock(Block):
    """Calls the block ``block_type`` (configured by the other keys) ``num_iters`` times and
    concatenates the outputs. Each iteration is its own place in the request cache, so the
    iterations differ and a resumed run re-sends none of them."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        num_iters: int,
        block_type: str,
        **block_config: Any,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        inner = BlockRegistry.lookup(block_type)
        if inner is None or block_type in ("IterBlock", "ImportBlock"):
            raise BlockConfigParserError(f"{block_name}: IterBlock cannot run {block_type!r}")
        if int(num_iters) < 1:
            raise BlockConfigParserError(f"{block_name}: num_iters must be at least 1")
        self.num_iters = int(num_iters)
        self.block = inner(ctx, config_dir, block_name, **block_config)
        self.whole_dataset = self.block.whole_dataset  # type: ignore[misc]

    def estimate(self, rows: int) -> Estimate:
        """The block's estimate, ``num_iters`` times over (their outputs are all kept)."""
        inner = self.block.estimate(rows)
        if not inner.requests:
            return Estimate(0, 0, inner.rows_out)
        iters = self.num_iters
        return Estimate(inner.requests * iters, inner.sequences * iters, inner.rows_out * iters)

    def fingerprint(self) -> Any:
        """The inner block's fingerprint (its type and settings are in the pipeline file)."""
        return self.block.fingerprint()

    def columns_needed(self) -> set[str]:
        return self.block.columns_needed()

    def columns_made(self, columns: set[str]) -> set[str]:
        return self.block.columns_made(columns)

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        results = await asyncio.gather(
            *(self.block.process(rows, run.child(f"iter{k}")) for k in range(self.num_iters))
        )
        return [[row for result in results for row in result[i]] for i in range(len(rows))]
