"""Generated tokens per second of the embedded teacher at 1, 4 and 16 concurrent requests:
our batched llama.cpp server against llama-cpp-python's own (``python -m llama_cpp.server``),
same model, threads and context size, one server at a time on the same machine.

Usage:
    python benches/serve_throughput.py --peer-python /work/wt/peers/llama-server/bin/python
        [--threads N] [--ctx 2048] [--max-tokens 128] [--levels 1,4,16] [--rounds 2]

The peer venv needs ``pip install 'llama-cpp-python[server]'``. If the peer cannot start, the
benchmark fails (non-zero exit) rather than reporting only our figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from instructlab.config.model import EMBEDDED_MODEL
from instructlab.llm.running import answers, free_port, log_tail, running_server
from instructlab.models.embedded import embedded_model_path
from instructlab.serve.llama_engine import default_threads
from instructlab.system.jobs.children import stop as stop_process

QUESTIONS = [
    "Write a short paragraph about the ocean.",
    "Explain how bees make honey.",
    "Describe a walk in a forest in autumn.",
    "What makes a good cup of tea?",
    "Tell a short story about a lighthouse keeper.",
    "Why is the sky blue? Explain simply.",
    "List some tips for learning a new language.",
    "Describe the life cycle of a butterfly.",
]


def _ask(base_url: str, model: str, question: str, max_tokens: int) -> int:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": question}],
        "max_tokens": max_tokens,
        "temperature": 0.8,
        "seed": 1,
    }
    request = urllib.request.Request(base_url + "/chat/completions", data=json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=1800) as response:
        payload = json.load(response)
    return int(payload["usage"]["completion_tokens"])


def measure(base_url: str, model: str, concurrency: int, rounds: int, max_tokens: int) -> float:
    """Generated tokens per second with ``concurrency`` requests in flight, ``rounds`` times."""
    total = 0
    lock = threading.Lock()

    def worker(offset: int) -> None:
        nonlocal total
        for r in range(rounds):
            question = QUESTIONS[(offset + r * concurrency) % len(QUESTIONS)]
            tokens = _ask(base_url, model, question, max_tokens)
            with lock:
                total += tokens

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - start)


def peer_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import llama_cpp; print(llama_cpp.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def run_peer(python: str, model: Path, threads: int, ctx: int, levels: list[int], args) -> dict:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="peer-llama-server-", suffix=".log")[1])
    argv = [python, "-m", "llama_cpp.server", "--model", str(model), "--n_ctx", str(ctx)]
    argv += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--model_alias", "peer"]
    print("peer command:", " ".join(argv))
    with log.open("ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 300
        while not answers(base_url + "/models", None):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"FAIL: the peer server did not start:\n{log_tail(log)}")
            time.sleep(0.2)
        _ask(base_url, "peer", "Hello", 8)  # warm-up
        return {c: measure(base_url, "peer", c, args.rounds, args.max_tokens) for c in levels}
    finally:
        stop_process(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer-python", required=True, help="python of the peer's venv")
    parser.add_argument("--threads", type=int, default=default_threads())
    parser.add_argument("--ctx", type=int, default=2048, help="context size (tokens)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--levels", default="1,4,16")
    parser.add_argument("--rounds", type=int, default=2, help="requests per client")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    model = embedded_model_path()
    try:
        version = peer_version(args.peer_python)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"FAIL: the peer (llama-cpp-python) cannot run from {args.peer_python}: {exc}")
        return 1
    import llama_cpp

    print(f"model: {model} ({model.stat().st_size / 1e6:.0f} MB)")
    print(f"machine: {os.cpu_count()} CPUs; threads={args.threads}; ctx={args.ctx} per sequence")
    print(f"ours: instructlab llama_server over llama-cpp-python {llama_cpp.__version__}")
    print(f"peer: python -m llama_cpp.server, llama-cpp-python {version}")
    print(f"max_tokens={args.max_tokens}, rounds={args.rounds} requests per client")

    with running_server(
        EMBEDDED_MODEL, ctx_size=args.ctx, threads=args.threads, parallel=max(levels)
    ) as server:
        _ask(server.base_url, server.model_id, "Hello", 8)  # warm-up
        ours = {
            c: measure(server.base_url, server.model_id, c, args.rounds, args.max_tokens)
            for c in levels
        }
    peer = run_peer(args.peer_python, model, args.threads, args.ctx, levels, args)

    print(f"\n{'concurrent':>10} {'ours tok/s':>12} {'peer tok/s':>12} {'ratio':>7}")
    for c in levels:
        print(f"{c:>10} {ours[c]:>12.1f} {peer[c]:>12.1f} {ours[c] / peer[c]:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
