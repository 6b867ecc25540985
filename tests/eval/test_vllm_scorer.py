"""vLLM's prompt log-probabilities agree with the transformers scorer (needs a CUDA GPU)."""

from __future__ import annotations

import pytest

from instructlab.eval.harness import PromptOptions, prompt_sets
from instructlab.eval.mmlu_data import load_mmlu


@pytest.mark.gpu
def test_vllm_matches_transformers_on_a_tiny_model(tiny_model, mmlu_csv) -> None:
    pytest.importorskip("vllm", reason="vLLM is not installed on this GPU machine")
    from instructlab.eval.hf_scorer import TransformersScorer
    from instructlab.eval.vllm_scorer import VllmScorer

    _, sets = load_mmlu(mmlu_csv, few_shots=2)
    items = [p.item for p in prompt_sets(sets, PromptOptions(few_shots=2))]
    ours = TransformersScorer(tiny_model, dtype="float32", device="cuda").loglikelihoods(items)
    theirs = VllmScorer(tiny_model, dtype="float32").loglikelihoods(items)
    for a, b in zip(ours, theirs, strict=True):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-3
