"""The built-in block types; importing this package registers them in the BlockRegistry."""

from __future__ import annotations

from instructlab.sdg.blocks.columns import (
    CombineColumnsBlock,
    DuplicateColumnsBlock,
    FlattenColumnsBlock,
    RenameColumnsBlock,
    SamplePopulatorBlock,
    SelectorBlock,
    SetToMajorityValueBlock,
)
from instructlab.sdg.blocks.filter import FilterByValueBlock
from instructlab.sdg.blocks.iterate import IterBlock
from instructlab.sdg.blocks.llm import ConditionalLLMBlock, LLMBlock, LLMMessagesBlock

__all__ = [
    "CombineColumnsBlock",
    "ConditionalLLMBlock",
    "DuplicateColumnsBlock",
    "FilterByValueBlock",
    "FlattenColumnsBlock",
    "IterBlock",
    "LLMBlock",
    "LLMMessagesBlock",
    "RenameColumnsBlock",
    "SamplePopulatorBlock",
    "SelectorBlock",
    "SetToMajorityValueBlock",
]
