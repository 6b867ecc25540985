"""Ours against instructlab-sdg 0.8.3 on the same seed data, pipeline and mock teacher.

The mock (``instructlab.sdg.testing.mock_openai``, its own process) generates at most 64
sequences at a time, 200 ms each: 320 sequences/s. Replies are scripted per block from the
pipeline's own prompt files (every tag parses; about one row in five fails each judge).
instructlab-sdg runs at ilab's vLLM settings (batch size 8, 10 workers). Both run as separate
processes, timed from start to the written output (Python start-up and imports included).

    .venv/bin/python benches/sdg_vs_instructlab_sdg.py \\
        --peer-python /work/wt/peers/instructlab-sdg-0.8.3/bin/python [--leaves 8 --seeds 5]

The peer's environment: ``python3 -m venv DIR && DIR/bin/pip install instructlab-sdg==0.8.3``.
Exits non-zero when the peer cannot run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

PEER = r"""
import json, sys, logging
logging.disable(logging.WARNING)
from importlib.metadata import version
from datasets import Dataset
from openai import OpenAI
from instructlab.sdg.pipeline import Pipeline, PipelineContext
url, pipe_file, seeds_file, out = sys.argv[1:5]
client = OpenAI(base_url=url, api_key="none")
ctx = PipelineContext(client=client, model_family="merlinite", model_id="mock-teacher",
                      num_instructions_to_generate=30, batch_size=8, batch_num_workers=10)
pipe = Pipeline.from_file(ctx, pipe_file)
leaves = json.load(open(seeds_file))
total = 0
with open(out, "w") as f:
    for leaf, rows in leaves.items():
        for r in pipe.generate(Dataset.from_list(rows)):
            f.write(json.dumps(r) + "\n"); total += 1
print("RESULT " + json.dumps({"rows": total, "version": version("instructlab-sdg")}))
"""

OURS = r"""
import asyncio, json, sys
from instructlab.sdg import Pipeline, PipelineContext
from instructlab.sdg.client import LLMClient
from instructlab.sdg.runner import LeafJob, run_leaves
url, pipe_file, seeds_file, out, run_dir = sys.argv[1:6]
client = LLMClient(url)
ctx = PipelineContext(client=client, model_id="mock-teacher", num_instructions_to_generate=30)
pipe = Pipeline.from_file(ctx, pipe_file)
leaves = json.load(open(seeds_file))
jobs = [LeafJob(name, "freeform_skill", rows, pipe) for name, rows in leaves.items()]
report, rows = asyncio.run(run_leaves(jobs, client, run_dir))
total = 0
with open(out, "w") as f:
    for name in leaves:
        for r in rows[name]:
            f.write(json.dumps(r) + "\n"); total += 1
print("RESULT " + json.dumps({"rows": total, "peak_limit": report.peak_concurrency}))
"""


def _script(pipeline_file: Path) -> list[dict[str, Any]]:
    """Mock rules: one per LLM block, matched on its prompt file's system text."""
    pipe = yaml.safe_load(pipeline_file.read_text(encoding="utf-8"))
    blocks = pipe["blocks"]
    rules = []
    for i, block in enumerate(blocks):
        if block["type"] != "LLMBlock":
            continue
        cfg_path = (pipeline_file.parent / block["config"]["config_path"]).resolve()
        cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
        match = str(cfg.get("system") or cfg.get("introduction")).strip()[:60]
        cols = block["config"]["output_cols"]
        starts, ends = (
            cfg.get("start_tags", [""] * len(cols)),
            cfg.get("end_tags", [""] * len(cols)),
        )
        filters: dict[str, dict[str, Any]] = {}
        for later in blocks[i + 1 :]:
            if later["type"] == "FilterByValueBlock":
                filters.setdefault(later["config"]["filter_column"], later["config"])
        batch = str(block["config"].get("batch_kwargs", {}))
        many = "num_samples" in batch or "{{num_samples}}" in str(cfg)
        shape = list(zip(cols, starts, ends, strict=False))
        firsts = dict(filters)

        def text(passing: bool, shape: list[Any] = shape, firsts: dict[str, Any] = firsts) -> str:
            parts = []
            for col, start, end in shape:
                if col in firsts:
                    value = firsts[col]["filter_value"] if passing else -1
                else:
                    value = f"{col} text {{h}}-{{k}} with enough words to read like an answer"
                parts.append(f"{start}{value}{end}" if start or end else str(value))
            return "\n".join(parts) + "\n"

        replies = [text(True)] * 4 + [text(False)] if filters else [text(True)]
        rules.append({"match": match, "replies": replies, "repeat": 30 if many else 1})
    return rules


def _seeds(leaves: int, per_leaf: int) -> dict[str, list[dict[str, str]]]:
    return {
        f"compositional_skills/bench/leaf{k}": [
            {
                "task_description": f"Task {k}: write short poems about topic {k}.",
                "seed_question": f"Write a poem about subject {k}-{i}.",
                "seed_response": f"A short poem about subject {k}-{i}, in four lines.",
                "leaf_node_path": f"compositional_skills->bench->leaf{k}",
            }
            for i in range(per_leaf)
        ]
        for k in range(leaves)
    }


def _mock_stats(url: str, reset: bool = False) -> dict[str, Any]:
    base = url.rsplit("/v1", 1)[0]
    req = urllib.request.Request(base + "/stats", method="POST" if reset else "GET")
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    return data


def _run(cmd: list[str], what: str) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"FAIL: {what} did not run (exit {proc.returncode})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise SystemExit(f"FAIL: {what} printed no result:\n{proc.stdout[-2000:]}")
    return json.loads(lines[-1][len("RESULT ") :]), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer-python", required=True, help="python of the instructlab-sdg venv")
    parser.add_argument(
        "--pipeline",
        default=str(ROOT / "python/instructlab/sdg/pipelines/full/freeform_skills.yaml"),
    )
    parser.add_argument("--leaves", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=5, help="seed rows per leaf")
    parser.add_argument(
        "--ours-only",
        action="store_true",
        help="measure only ours (capacity use on big runs); prints no comparison",
    )
    args = parser.parse_args()
    pipeline_file = Path(args.pipeline).resolve()
    if not Path(args.peer_python).exists():
        raise SystemExit(f"FAIL: no peer interpreter at {args.peer_python}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "script.yaml").write_text(yaml.safe_dump(_script(pipeline_file)), encoding="utf-8")
        (tmp / "seeds.json").write_text(
            json.dumps(_seeds(args.leaves, args.seeds)), encoding="utf-8"
        )
        mock = subprocess.Popen(
            [sys.executable, "-m", "instructlab.sdg.testing.mock_openai", "--capacity", "64",
             "--seq-time", "0.2", "--script", str(tmp / "script.yaml")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert mock.stdout is not None
        url = mock.stdout.readline().strip()
        try:
            results = {}
            common = [url, str(pipeline_file), str(tmp / "seeds.json")]
            for name, cmd in (
                (
                    "ours",
                    [sys.executable, "-c", OURS, *common, str(tmp / "o.jsonl"), str(tmp / "run")],
                ),
                ("peer", [args.peer_python, "-c", PEER, *common, str(tmp / "p.jsonl")]),
            ):
                if name == "peer" and args.ours_only:
                    continue
                _mock_stats(url, reset=True)
                out, wall = _run(cmd, name)
                results[name] = (out, wall, _mock_stats(url))
        finally:
            mock.terminate()
            mock.wait()
    ours = results["ours"]
    print(f"pipeline: {pipeline_file}; {args.leaves} leaves x {args.seeds} seed rows")
    print("mock: 64 sequences at a time, 200 ms each (capacity 320 sequences/s)")
    limit = ours[0]["peak_limit"]
    print(f"ours: instructlab {_our_version()}, chat API, adaptive concurrency (peak {limit:.0f})")
    if "peer" in results:
        peer = results["peer"]
        print(
            f"peer: instructlab-sdg {peer[0]['version']}, batch_size=8, batch_num_workers=10, "
            "dataset_num_procs=8 (its default), OpenAI client, completions API with the "
            "merlinite template"
        )
    for name, (out, wall, st) in results.items():
        share = st["sequences_per_second"] / 320 * 100
        print(
            f"{name}: {out['rows']} accepted rows in {wall:.1f} s = "
            f"{out['rows'] / wall:.2f} rows/s whole run; {st['requests']} requests, "
            f"{st['sequences_per_second']:.1f} sequences/s while generating "
            f"({share:.0f}% of capacity)"
        )
    if "peer" in results:
        peer_rate = peer[0]["rows"] / peer[1]
        ratio = (ours[0]["rows"] / ours[1]) / peer_rate if peer_rate else float("inf")
        print(f"ratio (accepted rows/s, whole run): {ratio:.1f}x")


def _our_version() -> str:
    import instructlab

    return str(instructlab.__version__)


if __name__ == "__main__":
    main()
