"""``echo`` and ``logprobs`` on /v1/completions: the HTTP shape (a scripted engine), and the
numbers from the real engines (transformers on a tiny model, llama.cpp on the embedded model)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from instructlab.serve.generation import SamplingParams, TokenLogprob

from .conftest import EchoEngine


class ScoringEngine(EchoEngine):
    """The echo engine plus ``score``: one token per word, log-probability -1 each."""

    def score(self, text: str, top: int = 0) -> list[TokenLogprob]:
        out, offset = [], 0
        for n, word in enumerate(text.split(" ")):
            piece = word if n == 0 else " " + word
            best = {piece: -1.0, " other": -2.0} if top else None
            out.append(TokenLogprob(piece, offset, None if n == 0 else -1.0, best))
            offset += len(piece)
        return out


def _post(port: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/completions", data=json.dumps(body).encode()
    )
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_echo_with_no_tokens_returns_the_prompt_scored(serve_engine) -> None:
    server = serve_engine(ScoringEngine())
    status, body = _post(
        server.port, {"prompt": "a b c", "echo": True, "logprobs": 1, "max_tokens": 0}
    )
    assert status == 200, body
    choice = body["choices"][0]
    assert choice["text"] == "a b c"
    logprobs = choice["logprobs"]
    assert logprobs["tokens"] == ["a", " b", " c"]
    assert logprobs["token_logprobs"] == [None, -1.0, -1.0]
    assert logprobs["text_offset"] == [0, 1, 3]
    assert logprobs["top_logprobs"][0] is None
    assert logprobs["top_logprobs"][1] == {" b": -1.0, " other": -2.0}
    assert body["usage"]["prompt_tokens"] == 3


def test_echo_with_a_completion_and_logprobs_without_echo(serve_engine) -> None:
    server = serve_engine(ScoringEngine())
    status, body = _post(server.port, {"prompt": "a b", "echo": True, "max_tokens": 3})
    assert status == 200
    assert body["choices"][0]["text"] == "a breply 0: b"
    assert body["choices"][0]["logprobs"] is None
    status, body = _post(server.port, {"prompt": "a b", "logprobs": 0, "max_tokens": 3})
    assert status == 200
    logprobs = body["choices"][0]["logprobs"]
    assert body["choices"][0]["text"] == "reply 0: b"
    assert all(offset >= len("a b") for offset in logprobs["text_offset"])
    assert logprobs["top_logprobs"] == [None] * len(logprobs["tokens"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"prompt": "a", "echo": "yes"}, "'echo'"),
        ({"prompt": "a", "logprobs": 99}, "'logprobs'"),
        ({"prompt": "a", "logprobs": -1}, "'logprobs'"),
        ({"prompt": "a", "logprobs": 1, "max_tokens": 0}, "'echo'"),
        ({"prompt": "a", "echo": True, "logprobs": 1, "stream": True}, "stream"),
    ],
)
def test_bad_echo_and_logprobs_requests_get_400(serve_engine, body, fragment) -> None:
    server = serve_engine(ScoringEngine())
    status, reply = _post(server.port, body)
    assert status == 400
    assert fragment in reply["error"]["message"]


def test_an_engine_without_score_refuses_logprobs_but_plain_requests_are_unchanged(
    echo_server,
) -> None:
    status, reply = _post(echo_server.port, {"prompt": "a", "echo": True, "logprobs": 1})
    assert status == 400
    assert "logprobs" in reply["error"]["message"]
    status, reply = _post(echo_server.port, {"prompt": "a b", "max_tokens": 5})
    assert status == 200
    assert reply["choices"][0] == {
        "index": 0,
        "text": "reply 0: b",
        "logprobs": None,
        "finish_reason": "stop",
    }


def test_transformers_engine_scores_like_a_forward_pass(tmp_path) -> None:
    import torch
    import transformers

    from eval.tiny import write_tiny_model
    from instructlab.serve.hf_engine import TransformersEngine

    torch.set_num_threads(1)  # a tiny model; the machine's cores are shared
    folder = write_tiny_model(tmp_path / "tiny")
    engine = TransformersEngine(folder, model_id="tiny")
    text = "The energy of the cell?\nA. water\nAnswer: A"
    scored = engine.score(text, 2)
    tok = transformers.AutoTokenizer.from_pretrained(str(folder))
    model = transformers.AutoModelForCausalLM.from_pretrained(str(folder))
    ids = tok(text, add_special_tokens=False).input_ids
    with torch.no_grad():
        logprobs = torch.log_softmax(model(torch.tensor([ids])).logits[0], dim=-1)
    assert len(scored) == len(ids)
    assert scored[0].logprob is None
    for pos in range(1, len(ids)):
        assert abs(scored[pos].logprob - float(logprobs[pos - 1, ids[pos]])) < 1e-4
        assert scored[pos].top is not None and len(scored[pos].top) == 2
    assert "".join(t.token for t in scored) == text
    assert [t.offset for t in scored] == sorted(t.offset for t in scored)


@pytest.mark.slow
def test_llama_engine_scores_the_embedded_model(tmp_path) -> None:
    from instructlab.models import embedded_model_path
    from instructlab.serve.llama_engine import LlamaEngine

    engine = LlamaEngine(embedded_model_path(), model_id="e", ctx_size=512, parallel=2, threads=2)
    try:
        text = "The capital of France is Paris"
        scored = engine.score(text, 3)
        assert "".join(t.token for t in scored) == text
        assert scored[0].logprob is None
        assert [t.offset for t in scored] == [0, 3, 11, 14, 21, 24]
        for token in scored[1:]:
            assert token.logprob is not None and token.logprob < 0
            assert token.top is not None and len(token.top) == 3
            assert max(token.top.values()) >= token.logprob - 1e-6
        # The same text scored twice, and alongside a generation, gives the same numbers.
        generation = engine.generate("Hello", SamplingParams(max_tokens=4, temperature=0))
        again = engine.score(text, 0)
        list(generation)
        assert [round(t.logprob or 0, 4) for t in again] == [
            round(t.logprob or 0, 4) for t in scored
        ]
    finally:
        engine.close()
