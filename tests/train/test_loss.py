"""Padding-free micro-batches give the loss and every gradient of the samples run one by one.

The reference is independent of the trainer's code: each sample alone through the model, its
logits shifted against its labels, the summed cross-entropy of all samples divided by their
learned tokens (the step's token mean). A micro-batch whose positions run on across samples (the
layout without sample boundaries) must fail the same comparison: the test can fail.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from instructlab.train.attention import NAME, register
from instructlab.train.collate import IGNORE, MicroBatch, TokenData, collate, layout
from instructlab.train.loss import summed_loss
from instructlab.train.packing import flatten
from train.tiny import FAMILIES, tiny_model


def _data(lengths: list[int], vocab: int = 512, seed: int = 1) -> TokenData:
    """Random samples: the first part of each is a prompt (not learned), the rest learned."""
    rng = np.random.default_rng(seed)
    ids, labels = [], []
    for length in lengths:
        sample = rng.integers(0, vocab, size=length)
        learned = sample.copy()
        learned[: length // 3] = IGNORE
        ids.append(sample)
        labels.append(learned)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return TokenData(np.concatenate(ids), np.concatenate(labels), offsets)


def _reference(model, data: TokenData, samples: list[int]):  # type: ignore[no-untyped-def]
    """Loss and gradients with each sample alone (plain transformers usage)."""
    model.zero_grad(set_to_none=True)
    sums, learned = [], 0
    for s in samples:
        a, z = data.offsets[s], data.offsets[s + 1]
        ids = torch.from_numpy(data.input_ids[a:z]).unsqueeze(0)
        labels = torch.from_numpy(data.labels[a:z])
        logits = model(input_ids=ids).logits[0]
        sums.append(
            torch.nn.functional.cross_entropy(
                logits[:-1], labels[1:], ignore_index=IGNORE, reduction="sum"
            )
        )
        learned += int((labels[1:] != IGNORE).sum())
    loss = torch.stack(sums).sum() / learned
    loss.backward()
    return float(loss.detach()), {n: p.grad.clone() for n, p in model.named_parameters()}


def _packed(model, batches: list[MicroBatch], **loss_options):  # type: ignore[no-untyped-def]
    """Loss and gradients the trainer's way: micro-batches, one denominator for the step."""
    model.zero_grad(set_to_none=True)
    learned = sum(b.learned for b in batches)
    total = 0.0
    for batch in batches:
        loss = summed_loss(model, batch, **loss_options) / learned
        loss.backward()
        total += float(loss.detach())
    return total, {n: p.grad.clone() for n, p in model.named_parameters()}


def _leaky(data: TokenData, samples: list[int]) -> MicroBatch:
    """The same micro-batch with positions running on: no sample boundaries for the model."""
    batch = collate(data, samples, "cpu")
    return MicroBatch(
        input_ids=batch.input_ids,
        position_ids=torch.arange(batch.tokens).unsqueeze(0),
        keep=batch.keep,
        targets=batch.targets,
        samples=batch.samples,
        tokens=batch.tokens,
    )


def _assert_same(got, expected) -> None:  # type: ignore[no-untyped-def]
    loss, grads = got
    ref_loss, ref_grads = expected
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert grads.keys() == ref_grads.keys()
    for name, grad in grads.items():
        ref = ref_grads[name]
        scale = float(ref.abs().max())
        torch.testing.assert_close(grad, ref, rtol=1e-5, atol=1e-6 * scale, msg=name)


@pytest.mark.parametrize("attention", ["sdpa", NAME])
@pytest.mark.parametrize("family", FAMILIES)
def test_packed_loss_and_every_gradient_equal_the_samples_alone(
    family: str, attention: str
) -> None:
    model = tiny_model(family, layers=2)
    register()
    model.set_attn_implementation(attention)
    split = attention == NAME  # the sample boundaries go with the batch
    # Sharp attention: a leak across samples must move the loss visibly.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "q_proj.weight" in name or "k_proj.weight" in name:
                p.mul_(8)
    data = _data([37, 11, 64, 23])
    order = [2, 0, 3, 1]
    expected = _reference(model, data, order)
    # One micro-batch with every sample, and the same step split into two micro-batches.
    _assert_same(_packed(model, [collate(data, order, "cpu", boundaries=split)]), expected)
    halves = [
        collate(data, order[:2], "cpu", boundaries=split),
        collate(data, order[2:], "cpu", boundaries=split),
    ]
    _assert_same(_packed(model, halves), expected)
    # The output layer chunk by chunk, logits recomputed in the backward pass: the same.
    chunked = _packed(model, halves, chunk=7, chunk_above=0)
    _assert_same(chunked, expected)
    with pytest.raises(AssertionError):
        _assert_same(_packed(model, [_leaky(data, order)]), expected)


def test_layout_matches_the_rust_flatten() -> None:
    data = _data([5, 1, 9, 3])
    order = [3, 1, 0, 2]
    ids, labels, positions = layout(data, order)
    flat = flatten(
        data.input_ids.astype(np.uint32),
        data.labels.astype(np.int32),
        data.offsets.astype(np.uint64),
        order,
    )
    assert ids.tolist() == flat.input_ids
    assert labels.tolist() == flat.labels
    assert positions.tolist() == flat.position_ids


def test_only_learned_positions_get_logits() -> None:
    data = _data([12, 7])
    batch = collate(data, [0, 1], "cpu")
    _, labels, _ = layout(data, [0, 1])
    following = labels[1:]
    assert batch.keep.tolist() == np.flatnonzero(following != IGNORE).tolist()
    assert batch.targets.tolist() == following[following != IGNORE].tolist()
    # The second sample's first token (after the first sample's last) is never a target.
    assert 11 not in batch.keep.tolist()
