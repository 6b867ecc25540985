"""Synthetic data generation: pipelines of blocks over an OpenAI-compatible teacher.

The names instructlab-sdg users import are kept: :class:`Pipeline`, :class:`PipelineContext`,
:class:`GenerateException`, :func:`generate_data`, :class:`BlockRegistry`,
:class:`PromptRegistry` and :class:`Block`. Importing this package loads no ML stack.
"""

from __future__ import annotations

from typing import Any

from instructlab.sdg.block import Block, DatasetBlock
from instructlab.sdg.context import PipelineContext
from instructlab.sdg.errors import (
    BlockConfigParserError,
    GenerateException,
    PipelineConfigParserError,
    PipelineProblem,
)
from instructlab.sdg.pipeline import Pipeline
from instructlab.sdg.registry import BlockRegistry, PromptRegistry

__all__ = [
    "Block",
    "BlockConfigParserError",
    "BlockRegistry",
    "DatasetBlock",
    "GenerateException",
    "Pipeline",
    "PipelineConfigParserError",
    "PipelineContext",
    "PipelineProblem",
    "PromptRegistry",
    "generate_data",
]


def generate_data(*args: Any, **kwargs: Any) -> Any:
    """Generates data for the changed taxonomy leaves.

    See :func:`instructlab.sdg.generate.generate_data`.
    """
    from instructlab.sdg.generate import generate_data as run

    return run(*args, **kwargs)
