"""The packing plan from Python, and the padding-free layout through a real (tiny) model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructlab.errors import PackingError
from instructlab.train.data import process_data, read_dataset
from instructlab.train.packing import flatten, plan_packing
from train.tiny import CHATML, CONVERSATIONS, write_model_dir


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 3000), max_size=300),
    ranks=st.integers(1, 8),
    ebs=st.integers(1, 100),
    budget=st.integers(3000, 30000),
    seed=st.none() | st.integers(0, 2**32),
)
def test_plan_invariants(lengths: list[int], ranks: int, ebs: int, budget: int, seed) -> None:
    plan = plan_packing(lengths, budget, ranks, ebs, seed)
    placed = np.sort(plan.samples)
    assert placed.tolist() == list(range(len(lengths)))
    sizes = np.diff(plan.starts.astype(np.int64))
    per_step = np.bincount(plan.step, weights=sizes, minlength=plan.stats["steps"])
    if len(lengths):
        assert (per_step[:-1] == ebs).all()
        assert per_step[-1] == plan.stats["last_step_samples"]
    assert (plan.tokens <= budget).all()
    assert int(plan.tokens.sum()) == sum(lengths)
    rank0 = list(plan.micro_batches(0))
    assert len(rank0) == len(plan.tokens) // ranks
    again = plan_packing(lengths, budget, ranks, ebs, seed)
    assert again.samples.tolist() == plan.samples.tolist()


def test_sample_over_budget_is_refused() -> None:
    with pytest.raises(PackingError, match="token budget"):
        plan_packing([10, 5000], 4096, 1, 2)


def test_packed_batch_gives_the_same_per_sample_loss_as_unpacked(tmp_path: Path) -> None:
    import torch
    import transformers

    model_dir = write_model_dir(tmp_path / "m", "byte_level", CHATML, eos="<|im_end|>")
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps({"messages": c}) for c in CONVERSATIONS) + "\n")
    process_data(data, model_dir, tmp_path / "out", max_seq_len=1000)
    table = read_dataset(tmp_path / "out").to_pylist()
    assert len(table) == 3
    ids = np.concatenate([np.array(r["input_ids"], dtype=np.uint32) for r in table])
    labels = np.concatenate([np.array(r["labels"], dtype=np.int32) for r in table])
    offsets = np.concatenate([[0], np.cumsum([r["length"] for r in table])]).astype(np.uint64)

    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=512,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        initializer_range=0.5,  # sharp attention: a leak across samples shows in the loss
    )
    # float64, so that equal maths gives equal numbers whatever the sequence length.
    model = transformers.LlamaForCausalLM(config).double().eval()
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def sample_loss(logits, labs):  # type: ignore[no-untyped-def]
        return loss_fn(logits[:-1], labs[1:])

    order = [2, 0, 1]
    packed = flatten(ids, labels, offsets, order)
    with torch.no_grad():
        out = model(
            input_ids=torch.tensor([packed.input_ids]),
            position_ids=torch.tensor([packed.position_ids]),
            use_cache=False,  # as in training: transformers reads sample boundaries only then
        ).logits[0]
        packed_labels = torch.tensor(packed.labels)
        cu = packed.cu_seqlens
        for k, s in enumerate(order):
            a, z = cu[k], cu[k + 1]
            alone = torch.tensor([table[s]["input_ids"]])
            ref = model(input_ids=alone).logits[0]
            expected = sample_loss(ref, torch.tensor(table[s]["labels"]))
            got = sample_loss(out[a:z], packed_labels[a:z])
            assert torch.allclose(got, expected, rtol=1e-7, atol=1e-7), (k, got, expected)
        # The same batch without sample boundaries (positions running on) must differ: the
        # comparison above can fail.
        leaky = model(input_ids=torch.tensor([packed.input_ids]), use_cache=False).logits[0]
        a, z = cu[1], cu[2]
        alone = torch.tensor([table[order[1]]["input_ids"]])
        expected = sample_loss(
            model(input_ids=alone).logits[0], torch.tensor(table[order[1]]["labels"])
        )
        assert abs(float(sample_loss(leaky[a:z], packed_labels[a:z]) - expected)) > 1e-3
