"""Synthetic data generation: pipelines of blocks over an OpenAI-compatible teacher.

The names instructlab-sdg users import are kept: :class:`Pipeline`, :class:`PipelineContext`,
:class:`GenerateException`, :func:`generate_data`, :class:`BlockRegistry`,
:class:`PromptRegistry` and :class:`Block`. Each is imported when first asked for, so importing
one module of this package (the options record, say) costs only that module; no name loads an
ML stack.

Where things are: a block (``block.py``) and the built-in ones (``blocks/``); a pipeline file
read and checked (``fileformat.py``, ``pipeline.py``); running rows through a pipeline
(``runtime.py``: what a block sees; ``flow.py``: rows streaming through the blocks); the work
of a run as data (``shard.py``: a leaf's seed-row chunk and its content-addressed key), run by
an executor (``executor.py``) that reports through events (``events.py``); a run from options to
data sets (``options.py``, ``settings.py``, ``teacher.py``, ``plan.py``, ``rundir.py``,
``generate.py``) and its mixing (``runmix.py``, ``knowledge.py``, ``mmlu_branch.py``,
``recipes.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.sdg.block import Block, DatasetBlock
    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.errors import (
        BlockConfigParserError,
        GenerateException,
        PipelineConfigParserError,
        PipelineProblem,
    )
    from instructlab.sdg.executor import Executor, LocalExecutor
    from instructlab.sdg.generate import generate_data
    from instructlab.sdg.options import GenerateOptions
    from instructlab.sdg.pipeline import Pipeline
    from instructlab.sdg.registry import BlockRegistry, PromptRegistry
    from instructlab.sdg.shard import Shard

_HOMES = {
    "Block": "block",
    "BlockConfigParserError": "errors",
    "BlockRegistry": "registry",
    "DatasetBlock": "block",
    "Executor": "executor",
    "GenerateException": "errors",
    "GenerateOptions": "options",
    "LocalExecutor": "executor",
    "Pipeline": "pipeline",
    "PipelineConfigParserError": "errors",
    "PipelineContext": "context",
    "PipelineProblem": "errors",
    "PromptRegistry": "registry",
    "Shard": "shard",
    "generate_data": "generate",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "Block",
    "BlockConfigParserError",
    "BlockRegistry",
    "DatasetBlock",
    "Executor",
    "GenerateException",
    "GenerateOptions",
    "LocalExecutor",
    "Pipeline",
    "PipelineConfigParserError",
    "PipelineContext",
    "PipelineProblem",
    "PromptRegistry",
    "Shard",
    "generate_data",
]
