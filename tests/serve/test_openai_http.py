"""The OpenAI HTTP layer, driven over real HTTP on 127.0.0.1 with a scripted engine."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest


def _post(port: int, path: str, body: Any, key: str | None = None) -> tuple[int, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _get(port: int, path: str, key: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_models_lists_the_engine_model(echo_server) -> None:
    status, body = _get(echo_server.port, "/v1/models")
    assert status == 200
    payload = json.loads(body)
    assert payload["object"] == "list"
    assert [m["id"] for m in payload["data"]] == ["echo"]


def test_chat_completion_renders_the_template_and_returns_n_choices(echo_server) -> None:
    messages = [{"role": "user", "content": "hello there"}]
    status, body = _post(echo_server.port, "/v1/chat/completions", {"messages": messages, "n": 3})
    assert status == 200
    payload = json.loads(body)
    assert payload["object"] == "chat.completion"
    contents = [c["message"]["content"] for c in payload["choices"]]
    assert contents == ["reply 0: there", "reply 1: there", "reply 2: there"]
    assert {c["finish_reason"] for c in payload["choices"]} == {"stop"}
    usage = payload["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_completion_honours_max_tokens_and_stop(echo_server) -> None:
    status, body = _post(echo_server.port, "/v1/completions", {"prompt": "a b", "max_tokens": 1})
    assert status == 200
    choice = json.loads(body)["choices"][0]
    assert (choice["text"], choice["finish_reason"]) == ("reply", "length")
    status, body = _post(echo_server.port, "/v1/completions", {"prompt": "a b", "stop": [" 0"]})
    choice = json.loads(body)["choices"][0]
    assert (choice["text"], choice["finish_reason"]) == ("reply", "stop")


def test_chat_stream_sends_role_deltas_finish_and_done(echo_server) -> None:
    body = {
        "messages": [{"role": "user", "content": "stream me"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    status, raw = _post(echo_server.port, "/v1/chat/completions", body)
    assert status == 200
    events = [line[6:] for line in raw.decode().split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "reply 0: me"
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[-1] == "stop"
    assert chunks[-1]["usage"]["completion_tokens"] == 3


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "not valid JSON"),
        ({"messages": []}, "non-empty list"),
        ({"messages": [{"content": "x"}]}, "role"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": "hot"}, "temperature"),
        ({"messages": [{"role": "user", "content": "x"}], "n": 0}, "'n'"),
        ({"messages": [{"role": "user", "content": "x"}], "stop": 3}, "stop"),
    ],
)
def test_bad_requests_get_400_with_an_openai_error(echo_server, body, fragment) -> None:
    status, raw = _post(echo_server.port, "/v1/chat/completions", body)
    assert status == 400
    assert fragment in json.loads(raw)["error"]["message"]


def test_unknown_route_is_404(echo_server) -> None:
    assert _get(echo_server.port, "/v2/nothing")[0] == 404


def test_api_key_is_required_when_set(serve_engine, echo_engine) -> None:
    server = serve_engine(echo_engine, api_key="s3cret")
    assert _get(server.port, "/v1/models")[0] == 401
    assert _get(server.port, "/v1/models", key="wrong")[0] == 401
    assert _get(server.port, "/v1/models", key="s3cret")[0] == 200
    body = {"prompt": "x"}
    assert _post(server.port, "/v1/completions", body)[0] == 401
    assert _post(server.port, "/v1/completions", body, key="s3cret")[0] == 200
    assert _get(server.port, "/health")[0] == 200  # liveness needs no key
