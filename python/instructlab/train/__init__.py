"""Training: data preparation (the Rust training-data engine) and, later, the training recipes.

Nothing heavy is imported here: torch and transformers load inside the functions that use them.
"""

from __future__ import annotations

from instructlab.models.tokenizer import TokenizerSource, load_tokenizer
from instructlab.train.data import ProcessSummary, process_data
from instructlab.train.packing import PackingPlan, plan_packing

__all__ = [
    "PackingPlan",
    "ProcessSummary",
    "TokenizerSource",
    "load_tokenizer",
    "plan_packing",
    "process_data",
]
