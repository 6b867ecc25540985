"""Scoring through an OpenAI-compatible endpoint: our own server (prompt log-probabilities from
the embedded model), and a server without them (the mock), named in one clear error."""

from __future__ import annotations

import pytest

from instructlab.eval.backends import ScorerOptions
from instructlab.eval.harness import PromptOptions
from instructlab.eval.mmlu import evaluate_mmlu
from instructlab.eval.openai_scorer import EndpointScorer, NoPromptLogprobs
from instructlab.eval.scoring import Item
from instructlab.eval.synthetic import write_mmlu
from instructlab.testing import MockOpenAI


def test_an_endpoint_without_prompt_logprobs_is_named() -> None:
    with MockOpenAI() as mock:
        scorer = EndpointScorer(mock.base_url, "mock-teacher")
        with pytest.raises(NoPromptLogprobs) as caught:
            scorer.loglikelihoods([Item("g", "Answer:", (" A", " B"))])
    assert mock.base_url in str(caught.value)
    assert "echo" in str(caught.value)


@pytest.mark.slow
def test_the_embedded_gguf_through_our_server(tmp_path) -> None:
    data = write_mmlu(tmp_path / "mmlu", ["anatomy"], test=1, dev=1)
    result = evaluate_mmlu(
        "embedded://smollm2-135m-instruct",
        data_dir=data,
        prompts=PromptOptions(few_shots=0),
        scorer=ScorerOptions(threads=2),
    )
    assert result.backend.startswith("llama.cpp server")
    assert result.total == 1
    for q in result.questions:
        assert len(q.loglikelihoods) == 4
        assert all(v < 0 for v in q.loglikelihoods)
