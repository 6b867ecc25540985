"""A real HTTP server that speaks enough of the OpenAI API to test and benchmark generation.

Replies are scripted per request (the first :class:`Rule` whose ``match`` fits answers; see
:mod:`instructlab.testing.rules`), so a test can make a judge say YES to some rows and NO to
others, derive a score from the question and turn in the prompt, or answer something
unparseable. It can add latency, errors, 429s and hangs, honour or ignore ``n``, and model a
server's capacity (:mod:`instructlab.testing.capacity`): at most ``capacity`` sequences generate
at once, each taking ``seq_time`` seconds, and a request for ``n`` choices holds ``n`` of them.

Everything is deterministic given the request: the reply for a choice depends on the prompt, the
request's ``seed`` and the choice index; a fault depends on the prompt, seed and how many times
that exact request was seen (so retries can succeed).

Run it alone: ``python -m instructlab.testing.mock_openai --capacity 64 --seq-time 0.2``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import ssl
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from instructlab.testing.capacity import Capacity, FaultModel, MockStats, sleep_until
from instructlab.testing.http import Reply, serve_connection
from instructlab.testing.rules import Call, Rule, rules_from_file

__all__ = ["Call", "MockOpenAI", "MockStats", "Rule"]


#: How the server treats ``n`` > 1: honour it, ignore it (one choice), refuse it with HTTP 400,
#: or fail with HTTP 500 as llama.cpp's server does ("Only one completion choice is allowed").
_N_SUPPORT = ("yes", "ignore", "error", "server-error")


class MockOpenAI:
    """The mock server; use as a context manager (it runs on a thread of its own)."""

    def __init__(
        self,
        rules: Sequence[Rule] = (),
        *,
        latency: float = 0.0,
        capacity: int | None = None,
        seq_time: float = 0.0,
        error_rate: float = 0.0,
        rate_429: float = 0.0,
        hang_rate: float = 0.0,
        n_support: str = "yes",
        models: Sequence[str] = ("mock-teacher",),
        default_reply: str = "OK",
        port: int = 0,
        api_key: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        trace: bool = False,
    ) -> None:
        if n_support not in _N_SUPPORT:
            raise ValueError("n_support is " + ", ".join(_N_SUPPORT))
        self.rules = list(rules)
        self.latency = latency
        self.capacity = capacity
        self.seq_time = seq_time
        self.default = Rule("", [default_reply], error_rate, rate_429, hang_rate)
        self.n_support = n_support
        self.models = list(models)
        self.port = port
        self.api_key = api_key
        #: Serve HTTPS with this context (None: plain HTTP).
        self.ssl_context = ssl_context
        self.trace = trace
        self.stats = MockStats(trace=[] if trace else None)
        self._faults = FaultModel(self.default)
        self._active = 0
        self._active_requests = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._cap: Capacity | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` (``https://`` with an SSL context)."""
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}/v1"

    def start(self) -> MockOpenAI:
        """Starts serving on 127.0.0.1 (a free port unless one was given)."""
        self._thread = threading.Thread(target=self._serve_forever, daemon=True, name="mock-openai")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the mock server did not start")
        return self

    def stop(self) -> None:
        """Stops serving and drops hung requests."""
        loop = self._loop
        if loop is not None and self._server is not None:
            loop.call_soon_threadsafe(self._shutdown)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> MockOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        assert self._loop is not None
        self._loop.call_later(0.05, self._loop.stop)

    def _serve_forever(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        if self.capacity:
            self._cap = Capacity(self.capacity, self.latency + self.seq_time)
        server = loop.run_until_complete(
            asyncio.start_server(
                self._handle, "127.0.0.1", self.port, backlog=1024, ssl=self.ssl_context
            )
        )
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def serve(self) -> None:
        """Serves in the current event loop until cancelled (the command-line entry)."""
        self._loop = asyncio.get_running_loop()
        if self.capacity:
            self._cap = Capacity(self.capacity, self.latency + self.seq_time)
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, backlog=4096, ssl=self.ssl_context
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        print(self.base_url, flush=True)
        async with self._server:
            await self._server.serve_forever()

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await serve_connection(reader, writer, self._route, self.api_key, self._count_http)
        finally:
            self._tasks.discard(task)

    def _count_http(self) -> None:
        self.stats.http_requests += 1

    async def _route(self, method: str, path: str, body: bytes) -> Reply:
        if method == "GET" and path.rstrip("/") in ("/v1/models", "/models"):
            return (
                200,
                {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]},
                {},
            )
        if method == "GET" and path.rstrip("/") in ("", "/health"):
            return 200, {"status": "ok"}, {}
        if path.rstrip("/") == "/stats":
            if method == "POST":
                self.stats = MockStats(trace=[] if self.trace else None)
            return 200, self.stats_dict(), {}
        if method == "GET" and path.rstrip("/") == "/trace":
            return 200, {"trace": self.stats.trace or []}, {}
        if method != "POST" or not path.endswith(("/chat/completions", "/completions")):
            return 404, {"error": {"message": f"no route {method} {path}"}}, {}
        try:
            req = json.loads(body)
        except ValueError:
            return 400, {"error": {"message": "body is not JSON"}}, {}
        kind = "chat" if path.endswith("/chat/completions") else "completions"
        self._active_requests += 1
        self.stats.max_active_requests = max(self.stats.max_active_requests, self._active_requests)
        try:
            return await self._complete(kind, req)
        finally:
            self._active_requests -= 1

    def stats_dict(self) -> dict[str, Any]:
        """The counters as JSON (``GET /stats``; ``POST /stats`` also resets them)."""
        st = self.stats
        span = (st.last - st.first) if st.first is not None and st.last is not None else 0.0
        return {
            "requests": st.requests,
            "completions": st.completions,
            "sequences": st.sequences,
            "errors": st.errors,
            "throttled": st.throttled,
            "max_active_sequences": st.max_active_sequences,
            "max_active_requests": st.max_active_requests,
            "http_requests": st.http_requests,
            "generating_seconds": span,
            "sequences_per_second": st.sequences / span if span > 0 else 0.0,
        }

    def _prompt_of(self, kind: str, req: dict[str, Any]) -> str:
        if kind == "chat":
            return "\n".join(str(m.get("content", "")) for m in req.get("messages", []))
        prompt = req.get("prompt", "")
        return prompt if isinstance(prompt, str) else "\n".join(map(str, prompt))

    def _rule_for(self, call: Call) -> tuple[str, Rule]:
        for i, rule in enumerate(self.rules):
            if rule.fits(call):
                return (rule.name or f"rule{i}"), rule
        return "default", self.default

    async def _complete(self, kind: str, req: dict[str, Any]) -> Reply:
        stats = self.stats
        now = time.monotonic()
        stats.requests += 1
        stats.first = stats.first if stats.first is not None else now
        prompt = self._prompt_of(kind, req)
        model = str(req.get("model", self.models[0]))
        seed = req.get("seed")
        name, rule = self._rule_for(Call(prompt, 0, seed, model, kind, req))
        stats.by_rule[name] += 1
        n = asked = int(req.get("n") or 1)
        stats.n_values[n] += 1
        if n > 1 and self.n_support == "error":
            return 400, {"error": {"message": "only one choice (n=1) is supported"}}, {}
        if n > 1 and self.n_support == "server-error":
            message = "Only one completion choice is allowed"
            return 500, {"error": {"code": 500, "message": message, "type": "server_error"}}, {}
        if n > 1 and self.n_support == "ignore":
            n = 1
            req = dict(req, n=1)
        if rule.overflow:
            return 400, {"error": {"message": "the request exceeds the context length"}}, {}
        outcome = self._faults.outcome(rule, prompt, seed, asked)
        if outcome == "429":
            stats.throttled += 1
            return 429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}
        if outcome == "error":
            stats.errors += 1
            return 500, {"error": {"message": "scripted failure"}}, {}
        if outcome == "hang":
            stats.hung += 1
            await asyncio.sleep(3600)
        delay = self.latency + self.seq_time
        started = time.monotonic()
        if self._cap is not None:
            started, active = self._cap.reserve(n, started)
            stats.max_active_sequences = max(stats.max_active_sequences, active)
            await sleep_until(started)
        self._active += n
        if self._cap is None:
            stats.max_active_sequences = max(stats.max_active_sequences, self._active)
        try:
            if delay > 0:
                await sleep_until(started + delay)
        finally:
            self._active -= n
        ended = time.monotonic()
        stats.busy_time += ended - started
        if stats.trace is not None:
            stats.trace.append((now, started, ended, n))
        choices = []
        tokens = 0
        for c in range(n):
            text = rule.reply(Call(prompt, c, seed, model, kind, req))
            tokens += len(text.split())
            if kind == "chat":
                choices.append(
                    {
                        "index": c,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                )
            else:
                choices.append({"index": c, "text": text, "finish_reason": "stop"})
        stats.completions += 1
        stats.sequences += n
        stats.last = time.monotonic()
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": tokens}
        usage["total_tokens"] = usage["prompt_tokens"] + tokens
        obj = "chat.completion" if kind == "chat" else "text_completion"
        return (
            200,
            {
                "id": f"mock-{stats.requests}",
                "object": obj,
                "model": model,
                "choices": choices,
                "usage": usage,
            },
            {},
        )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m instructlab.testing.mock_openai``: prints the base URL, serves forever."""
    parser = argparse.ArgumentParser(description="A mock OpenAI-compatible teacher.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", type=Path, help="YAML list of {match, replies, ...} rules")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--capacity", type=int)
    parser.add_argument("--seq-time", type=float, default=0.0)
    parser.add_argument("--n-support", default="yes", choices=list(_N_SUPPORT))
    parser.add_argument("--trace", action="store_true", help="record every request (GET /trace)")
    args = parser.parse_args(argv)
    rules = rules_from_file(args.script) if args.script else []
    mock = MockOpenAI(
        rules,
        latency=args.latency,
        capacity=args.capacity,
        seq_time=args.seq_time,
        n_support=args.n_support,
        port=args.port,
        trace=args.trace,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(mock.serve())


if __name__ == "__main__":
    main()
