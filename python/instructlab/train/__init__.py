"""Training: data preparation (the Rust training-data engine) and the trainer (full fine-tune and
LoRA on the CPU or one GPU, padding-free, resumable).

Nothing heavy is imported here: torch and transformers load inside the functions that use them.

```python
from instructlab.train import TrainOptions, train

result = train(TrainOptions(data_path="train.jsonl", ckpt_output_dir="ckpt", num_epochs=2))
print(result.final_model, result.tokens_per_second)
```
"""

from __future__ import annotations

from instructlab.models.tokenizer import TokenizerSource, load_tokenizer
from instructlab.train.data import ProcessSummary, process_data
from instructlab.train.interrupt import TrainingInterrupted
from instructlab.train.options import LoraOptions, TrainOptions, options_from_config
from instructlab.train.packing import PackingPlan, plan_packing
from instructlab.train.result import RunInfo, TrainResult
from instructlab.train.trainer import train

__all__ = [
    "LoraOptions",
    "PackingPlan",
    "ProcessSummary",
    "RunInfo",
    "TokenizerSource",
    "TrainOptions",
    "TrainResult",
    "TrainingInterrupted",
    "load_tokenizer",
    "options_from_config",
    "plan_packing",
    "process_data",
    "train",
]
