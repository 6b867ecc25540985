"""Parity: the prefix-sharing scorer gives what a plain forward pass of each prompt gives."""

from __future__ import annotations

import pytest
import torch
import transformers

from instructlab.eval.harness import PromptOptions, chat_template_for, prompt_sets
from instructlab.eval.hf_scorer import TransformersScorer
from instructlab.eval.mmlu_data import load_mmlu
from instructlab.eval.prompts import format_from_task
from instructlab.eval.questions import QuestionSet
from instructlab.eval.scoring import Item, split_pair
from instructlab.sdg.mmlu_branch import mmlu_task


def _direct(model_dir, items: list[Item]) -> list[tuple[float, ...]]:
    """Each continuation scored by one full forward pass of context + continuation."""
    tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
    model = transformers.AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    model.eval()
    out = []
    for item in items:
        values = []
        for continuation in item.continuations:
            context, cont = split_pair(item.context, continuation)
            ctx_ids = tok(context, add_special_tokens=False).input_ids
            cont_ids = tok(context + cont, add_special_tokens=False).input_ids[len(ctx_ids) :]
            ids = torch.tensor([ctx_ids + cont_ids])
            with torch.no_grad():
                logprobs = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
            values.append(
                sum(float(logprobs[len(ctx_ids) - 1 + p, t]) for p, t in enumerate(cont_ids))
            )
        out.append(tuple(values))
    return out


def _assert_parity(ours, direct) -> None:
    for a, b in zip(ours, direct, strict=True):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-4, (a, b)
        top = sorted(b, reverse=True)
        if top[0] - top[1] >= 1e-4:
            assert a.index(max(a)) == b.index(max(b))


@pytest.fixture(scope="module")
def mmlu_items(mmlu_csv) -> tuple[list, list[Item]]:
    _, sets = load_mmlu(mmlu_csv, few_shots=3)
    return sets, [p.item for p in prompt_sets(sets, PromptOptions(few_shots=3))]


@pytest.fixture(scope="module")
def direct_values(tiny_model, mmlu_items) -> list[tuple[float, ...]]:
    return _direct(tiny_model, mmlu_items[1])


@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_mmlu_items_match_a_direct_computation(
    tiny_model, mmlu_items, direct_values, batch_size
) -> None:
    sets, items = mmlu_items
    scorer = TransformersScorer(tiny_model, batch_size=batch_size)
    seen = []
    ours = scorer.loglikelihoods(items, lambda done, total: seen.append((done, total)))
    _assert_parity(ours, direct_values)
    assert seen[-1] == (len(items), len(items))
    assert len(seen) == len(sets)  # one prefix per subject


def test_text_choices_and_branch_style_examples_match(tiny_model, mmlu_csv) -> None:
    # MMLU-branch: choices scored as their texts (several tokens each), examples from the set
    # itself (the first questions get prefixes of their own), through a chat template.
    _, sets = load_mmlu(mmlu_csv, few_shots=0)
    branch = [QuestionSet(s.name, s.test) for s in sets[:2]]
    fmt = format_from_task(mmlu_task("leaf", "x.jsonl"))
    template = chat_template_for(tiny_model, True)
    options = PromptOptions(few_shots=2, system_prompt="You are careful.", chat_template=True)
    prompted = prompt_sets(branch, options, fmt, template)
    items = [p.item for p in prompted]
    assert items[0].context.startswith("<|im_start|>system\nYou are careful.")
    assert len({i.group for i in items}) > len(branch)
    ours = TransformersScorer(tiny_model, batch_size=2).loglikelihoods(items)
    _assert_parity(ours, _direct(tiny_model, items))


def test_an_item_without_context_is_scored_after_the_start_token(tiny_model) -> None:
    items = [Item("g", "", (" A", " B")), Item("g", "Answer:", (" A", " B"))]
    scorer = TransformersScorer(tiny_model)
    values = scorer.loglikelihoods(items)
    assert all(v < 0 for pair in values for v in pair)
