"""Shared pieces for serving tests: a scripted engine behind our real HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from instructlab.models.chat_template import ChatTemplate
from instructlab.serve.generation import Delta, Finish, Generation, SamplingParams, StopMatcher
from instructlab.serve.openai_http import OpenAIServer


class EchoEngine:
    """Answers choice ``i`` with ``"reply i: <last word of the prompt>"``, one word per event."""

    model_id = "echo"

    def __init__(self) -> None:
        self.template = ChatTemplate(
            "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        )
        self.prompts: list[str] = []

    @property
    def context_size(self) -> int:
        return 512

    def render_chat(self, messages: list[dict[str, Any]]) -> str:
        return self.template.render(messages)

    def generate(self, prompt: str, params: SamplingParams) -> Generation:
        self.prompts.append(prompt)
        words = prompt.split()
        generation = Generation(len(words), params.n)
        for index in range(params.n):
            matcher = StopMatcher(params.stop)
            pieces = ["reply", f" {index}:", f" {words[-1] if words else ''}"]
            limit = params.max_tokens or len(pieces)
            reason = "stop" if limit >= len(pieces) else "length"
            hit = False
            for piece in pieces[:limit]:
                text, hit = matcher.feed(piece)
                if text:
                    generation.put(Delta(index, text))
                if hit:
                    reason = "stop"
                    break
            if not hit and (rest := matcher.flush()):
                generation.put(Delta(index, rest))
            generation.put(Finish(index, reason, min(limit, len(pieces))))
        generation.close()
        return generation


def start(engine: Any, api_key: str | None = None) -> tuple[OpenAIServer, threading.Thread]:
    server = OpenAIServer(("127.0.0.1", 0), engine, api_key)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    return server, thread


@pytest.fixture
def serve_engine() -> Iterator[Callable[..., OpenAIServer]]:
    """Serves an engine over real HTTP on 127.0.0.1 (any free port) until the test ends."""
    running: list[tuple[OpenAIServer, threading.Thread]] = []

    def serve(engine: Any, api_key: str | None = None) -> OpenAIServer:
        running.append(start(engine, api_key))
        return running[-1][0]

    yield serve
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def echo_server(serve_engine) -> OpenAIServer:
    return serve_engine(EchoEngine())


@pytest.fixture
def echo_engine() -> EchoEngine:
    return EchoEngine()
