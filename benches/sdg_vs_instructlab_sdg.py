"""Ours against instructlab-sdg 0.8.3: the same taxonomy, pipeline and mock teacher, end to end.

Both sides run their whole command, from start to the mixed training data: ours is the CLI
(``ilab data generate``), the peer is its ``generate_data`` (what ``ilab`` 0.2x calls) at ilab's
vLLM settings (batch size 8, 10 workers). Each runs as its own process, timed from its start to
its exit (Python start-up, imports, taxonomy reading, generation and mixing included). The input
is a git taxonomy of freeform-skill leaves (``--leaves`` x ``--seeds`` seed examples), read with
``--taxonomy-base empty``; both run the same pipeline directory (``--pipeline-dir``, ours
``full`` by default, which instructlab-sdg reads as a custom pipeline directory).

The mock (``instructlab.testing.mock_openai``, its own process) generates at most 64
sequences at a time, 200 ms each: 320 sequences/s. Replies are scripted per block from the
pipeline's own prompt files (every tag parses; about one row in five fails each judge).
"While generating" is the mock's view: from the first request's arrival to the last reply.

    .venv/bin/python benches/sdg_vs_instructlab_sdg.py \\
        --peer-python /work/wt/peers/instructlab-sdg-0.8.3/bin/python [--leaves 2 --seeds 5]

The peer's environment: ``python3 -m venv DIR && DIR/bin/pip install instructlab-sdg==0.8.3``.
Exits non-zero (FAIL) when the peer cannot run; ``--ours-only`` measures ours alone (capacity
use on big runs) and prints no comparison.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
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
import glob, json, logging, os, sys
logging.disable(logging.WARNING)
from importlib.metadata import version
from openai import OpenAI
from instructlab.sdg.generate_data import generate_data
url, taxonomy, pipeline_dir, out = sys.argv[1:5]
generate_data(
    OpenAI(base_url=url, api_key="none"), model_family="merlinite", model_name="mock-teacher",
    num_cpus=10, batch_size=8, num_instructions_to_generate=30, taxonomy=taxonomy,
    taxonomy_base="empty", output_dir=out, pipeline=pipeline_dir, chunk_word_count=1000,
    server_ctx_size=4096, console_output=False,
)
print("RESULT " + json.dumps({"version": version("instructlab-sdg"),
                              "openai": version("openai"), "datasets": version("datasets")}))
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


def _taxonomy(root: Path, leaves: int, per_leaf: int) -> Path:
    """A git taxonomy of freeform-skill leaves (committed, as ilab users keep theirs)."""
    for k in range(leaves):
        leaf = root / "compositional_skills" / "bench" / f"leaf{k}"
        leaf.mkdir(parents=True)
        qna = {
            "version": 3,
            "created_by": "bench",
            "task_description": f"Task {k}: write short poems about topic {k}.",
            "seed_examples": [
                {
                    "question": f"Write a poem about subject {k}-{i}.",
                    "answer": f"A short poem about subject {k}-{i}, in four lines.",
                }
                for i in range(per_leaf)
            ],
        }
        (leaf / "qna.yaml").write_text(yaml.safe_dump(qna, sort_keys=False), encoding="utf-8")
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "taxonomy"], check=True)
    return root


MOCK_CHECK = r"""
import asyncio, json, sys, time
from instructlab.llm.transport import Transport
url, seconds = sys.argv[1], float(sys.argv[2])
body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
async def main():
    transport = Transport(url)
    stop = time.monotonic() + seconds
    async def worker():
        while time.monotonic() < stop:
            assert (await transport.request("POST", "/chat/completions", body)).status == 200
    await asyncio.gather(*(worker() for _ in range(128)))
asyncio.run(main())
"""


def _lines(path: Path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def _outputs(out_dir: Path) -> tuple[int, int]:
    """Accepted rows (every leaf's node data set: the rows the pipeline kept, which the mix
    samples from) and the rows of the skills mix, the training data both sides write last."""
    mixes = sorted(out_dir.rglob("skills_train_msgs_*.jsonl"))
    nodes = sorted(out_dir.rglob("node_datasets_*/*.jsonl"))
    if not mixes or not nodes:
        raise SystemExit(f"FAIL: no node data sets or skills mix under {out_dir}")
    return sum(_lines(p) for p in nodes), _lines(mixes[-1])


def _mock_stats(url: str, reset: bool = False) -> dict[str, Any]:
    base = url.rsplit("/v1", 1)[0]
    req = urllib.request.Request(base + "/stats", method="POST" if reset else "GET")
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    return data


CPU: dict[str, float] = {}
OURS_WHAT = "ours (ilab data generate)"
PEER_WHAT = "peer (instructlab-sdg generate_data)"


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> tuple[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[what] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-3000:])
        raise SystemExit(f"FAIL: {what} did not run (exit {proc.returncode})")
    return proc.stdout, wall


def _result(stdout: str, what: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise SystemExit(f"FAIL: {what} printed no result:\n{stdout[-2000:]}")
    data: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer-python", required=True, help="python of the instructlab-sdg venv")
    parser.add_argument(
        "--pipeline-dir", default=str(ROOT / "python/instructlab/sdg/pipelines/full")
    )
    parser.add_argument("--leaves", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=5, help="seed examples per leaf (>= 5)")
    parser.add_argument(
        "--ours-only",
        action="store_true",
        help="measure only ours (capacity use on big runs); prints no comparison",
    )
    args = parser.parse_args()
    pipeline_dir = Path(args.pipeline_dir).resolve()
    pipeline_file = pipeline_dir / "freeform_skills.yaml"
    peer_python = Path(args.peer_python)
    if not args.ours_only and not peer_python.exists():
        raise SystemExit(f"FAIL: no peer interpreter at {peer_python}")
    ilab = shutil.which("ilab", path=str(Path(sys.executable).parent))
    if ilab is None:
        raise SystemExit(f"FAIL: no ilab beside {sys.executable}")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "script.yaml").write_text(yaml.safe_dump(_script(pipeline_file)), encoding="utf-8")
        taxonomy = _taxonomy(tmp / "taxonomy", args.leaves, args.seeds)
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "NO_COLOR": "1",
        }
        # An installed wheel has its bytecode compiled (as the peer's pip install did): compile
        # ours too, so neither side's figure includes compiling Python source.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        package = Path(str(__import__("instructlab").__file__)).parent
        _run([sys.executable, "-m", "compileall", "-q", str(package)], "compileall", env)
        _run([ilab, "config", "init", "--non-interactive"], "ilab config init", env)
        mock = subprocess.Popen(
            [sys.executable, "-m", "instructlab.testing.mock_openai", "--capacity", "64",
             "--seq-time", "0.2", "--script", str(tmp / "script.yaml")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert mock.stdout is not None
        url = mock.stdout.readline().strip()
        ours_cmd = [
            ilab, "data", "generate", "--endpoint-url", url, "--model", "mock-teacher",
            "--taxonomy-path", str(taxonomy), "--taxonomy-base", "empty",
            "--output-dir", str(tmp / "ours"), "--pipeline", str(pipeline_dir),
        ]  # fmt: skip
        peer_cmd = [str(peer_python), "-c", PEER, url, str(taxonomy), str(pipeline_dir)]
        peer_cmd.append(str(tmp / "peer"))
        # The mock alone, kept full by a trivial client (128 requests in flight, no pipeline):
        # what it serves is the ceiling for both sides.
        _mock_stats(url, reset=True)
        _run([sys.executable, "-c", MOCK_CHECK, url, "4"], "the mock check")
        alone = _mock_stats(url)
        results: dict[str, tuple[tuple[int, int], float, dict[str, Any]]] = {}
        peer_info: dict[str, Any] = {}
        try:
            _mock_stats(url, reset=True)
            _, wall = _run(ours_cmd, OURS_WHAT, env)
            results["ours"] = (_outputs(tmp / "ours"), wall, _mock_stats(url))
            report = json.loads(next((tmp / "ours").rglob("report.json")).read_text())
            if not args.ours_only:
                _mock_stats(url, reset=True)
                out, wall = _run(peer_cmd, PEER_WHAT)
                peer_info = _result(out, "peer")
                results["peer"] = (_outputs(tmp / "peer"), wall, _mock_stats(url))
        finally:
            mock.terminate()
            mock.wait()
    print(f"input: {args.leaves} freeform-skill leaves x {args.seeds} seed examples; pipeline "
          f"{pipeline_dir}; scale 30")  # fmt: skip
    print(
        "mock: 64 sequences at a time, 200 ms each (capacity 320 sequences/s); alone, kept full "
        f"by a trivial client with 128 in flight, it served {alone['sequences_per_second']:.1f} "
        f"sequences/s ({alone['sequences_per_second'] / 320 * 100:.1f}%)"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    peak = report.get("peak_concurrency")
    print(f"ours: instructlab {_our_version()} (Python {platform.python_version()}), "
          f"`ilab data generate` with no tuning flags: chat API, adaptive concurrency"
          + (f" (peak limit {peak:.0f})" if isinstance(peak, (int, float)) else ""))  # fmt: skip
    if peer_info:
        print(
            f"peer: instructlab-sdg {peer_info['version']} (openai {peer_info['openai']}, "
            f"datasets {peer_info['datasets']}), generate_data(batch_size=8, num_cpus=10), "
            "dataset_num_procs=8 (its default), completions API with the merlinite template"
        )
    cpu = {"ours": CPU[OURS_WHAT], "peer": CPU.get(PEER_WHAT, 0.0)}
    for name, ((rows, mixed), wall, st) in results.items():
        share = st["sequences_per_second"] / 320 * 100
        print(
            f"{name}: {rows} accepted rows ({mixed} in the skills mix) in {wall:.1f} s = "
            f"{rows / wall:.2f} rows/s whole run; {st['requests']} requests, "
            f"{st['sequences']} sequences in {st['generating_seconds']:.2f} s = "
            f"{st['sequences_per_second']:.1f} sequences/s while generating "
            f"({share:.1f}% of capacity; {st['sequences'] / wall:.1f}/s over the whole run); "
            f"CPU {cpu[name]:.1f} s = {cpu[name] / max(1, st['requests']) * 1000:.2f} ms per "
            "request, start-up and mixing included"
        )
    st = results["ours"][2]
    # A lower bound on any schedule: nothing but the question requests (one per seed example)
    # exists in the first 200 ms, and each of the 64 slots finishes one sequence per 200 ms,
    # so T >= 0.2 * (1 + ceil((S - min(first, 64)) / 64)).
    first = min(args.leaves * args.seeds, 64)
    rounds = 1 + math.ceil((st["sequences"] - first) / 64)
    bound = st["sequences"] / (0.2 * rounds)
    print(
        f"attainable by any client on this input: <= {bound:.1f} sequences/s "
        f"({bound / 320 * 100:.1f}% of capacity: {rounds} rounds of 200 ms, the first holding "
        f"only the {args.leaves * args.seeds} question requests); ours reached "
        f"{st['sequences_per_second'] / bound * 100:.1f}% of that"
    )
    if "peer" in results:
        ours, peer = results["ours"], results["peer"]
        peer_rate = peer[0][0] / peer[1]
        ratio = (ours[0][0] / ours[1]) / peer_rate if peer_rate else float("inf")
        print(f"ratio (accepted rows/s, whole run): {ratio:.1f}x (target >= 5x)")


def _our_version() -> str:
    import instructlab

    return str(instructlab.__version__)


if __name__ == "__main__":
    main()
