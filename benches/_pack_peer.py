"""Runs inside a peer's virtual environment (instructlab-training): data processing or packing.

Invoked by benches/pack_bench.py as `PEER_PYTHON _pack_peer.py MODE ARGS_JSON`; prints one JSON
line with the figures. Never imports our package.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path


def process(args: dict) -> dict:
    # A fresh datasets cache, so the first run is a first run.
    os.environ["HF_DATASETS_CACHE"] = tempfile.mkdtemp(prefix="peer-hf-")
    from instructlab.training import data_process as dp

    started = time.perf_counter()
    kwargs = dict(
        data_path=args["data"],
        data_output_path=args["out"],
        max_seq_len=args["max_seq_len"],
        model_path=args["model"],
        num_cpu_procs=args["procs"],
    )
    dp.process_messages_into_input_ids(**kwargs)
    first = time.perf_counter() - started
    with (Path(args["out"]) / "data.jsonl").open(encoding="utf-8") as f:
        kept = sum(1 for _ in f)
    return {"seconds": first, "kept": kept}


class _Lengths:
    def __init__(self, lengths):
        self._lengths = lengths

    def get_lengths(self):
        return self._lengths


def _pack_011(lengths, ranks, ebs, budget, seed):
    from instructlab.training.multipack_sampler import (
        MultipackDistributedBatchSampler,
        find_packing_max_batch_len_and_grad_accum,
    )

    try:
        packing_len, accum = find_packing_max_batch_len_and_grad_accum(
            num_gpus=ranks,
            avg_sample_len=lengths.mean(),
            effective_batch_size=ebs,
            max_batch_len_per_gpu=budget,
            is_padding=False,
            dataset=_Lengths(lengths),
            seed=seed,
        )
    except RuntimeError as exc:  # the peer falls back to unpacked sampling here
        return {"error": str(exc).split(".")[0]}
    per_rank = []
    for rank in range(ranks):
        sampler = MultipackDistributedBatchSampler(
            batch_max_length=packing_len,
            lengths=lengths,
            num_replicas=ranks,
            rank=rank,
            seed=seed,
            padding=False,
        )
        per_rank.append(sampler.generate_batches())
    batches = len(per_rank[0])
    tokens = sum(int(lengths[b].sum()) for rb in per_rank for b in rb)
    samples = sum(len(b) for rb in per_rank for b in rb)
    steps = max(batches // accum, 1)
    return {
        "fill": tokens / (batches * ranks * budget) if batches else 0.0,
        "steps": steps,
        "samples_per_step": samples / steps,
        "placed": samples,
        "grad_accum": accum,
    }


def _pack_016(lengths, ranks, ebs, budget, seed):
    """The newer data loader: each batch of `ebs` samples (epoch order) is split into
    micro-batches per rank by longest-processing-time (MaxTokensPerRankCollator)."""
    import numpy as np
    from instructlab.training.batch_packer import batch_lengths_to_minibatches_lpt
    from instructlab.training.sampler import EpochSampler

    order = np.array(list(iter(EpochSampler(len(lengths), seed=seed))), dtype=np.int64)
    micro_batches = 0
    tokens = 0
    steps = 0
    for start in range(0, len(order), ebs):
        chunk = lengths[order[start : start + ebs]]
        chunk = chunk[chunk <= budget]
        mbs = batch_lengths_to_minibatches_lpt(chunk.tolist(), budget, ranks, 0)
        micro_batches += len(mbs)
        tokens += int(chunk.sum())
        steps += 1
    return {
        "fill": tokens / (micro_batches * ranks * budget) if micro_batches else 0.0,
        "steps": steps,
        "samples_per_step": len(lengths) / steps,
        "placed": len(lengths),
    }


def pack(args: dict) -> dict:
    import importlib.util

    import numpy as np

    lengths = np.load(args["lengths"])
    newer = importlib.util.find_spec("instructlab.training.batch_packer") is not None
    out = {}
    for ranks, ebs, budget in args["grid"]:
        started = time.perf_counter()
        packer = _pack_016 if newer else _pack_011
        cell = packer(lengths, ranks, ebs, budget, args["seed"])
        cell["seconds"] = time.perf_counter() - started
        out[f"{ranks},{ebs},{budget}"] = cell
    return out


def main() -> None:
    mode, raw = sys.argv[1], sys.argv[2]
    args = json.loads(raw)
    result = process(args) if mode == "process" else pack(args)
    result_line = {"version": version("instructlab-training"), "result": result}
    print("PEER-RESULT " + json.dumps(result_line))


if __name__ == "__main__":
    main()
