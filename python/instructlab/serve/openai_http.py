"""An OpenAI-compatible HTTP API over any :class:`~instructlab.serve.generation.Engine`.

Standard library only (``http.server``): one thread per connection, the engine batches the work.
Routes: ``GET /v1/models``, ``GET /health``, ``POST /v1/completions``, ``POST /v1/chat/completions``
(both with ``stream``). An API key, when set, must come as ``Authorization: Bearer KEY``.

``/v1/completions`` also takes ``echo`` (the prompt comes back before the completion) and
``logprobs`` (N: every returned token's log-probability and its N likeliest alternatives, in
OpenAI's legacy shape: ``tokens``, ``token_logprobs``, ``top_logprobs``, ``text_offset``), with
``max_tokens: 0`` for the prompt alone: what log-likelihood evaluation (MMLU) needs. The engine
computes them with its optional ``score`` method, over the prompt and completion text; not with
``stream``.
"""

from __future__ import annotations

import hmac
import json
import logging
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from instructlab.errors import ChatTemplateError
from instructlab.serve.generation import (
    Delta,
    Engine,
    EngineError,
    Finish,
    Generation,
    SamplingParams,
    TokenLogprob,
)

log = logging.getLogger(__name__)

_MAX_BODY = 32 * 1024 * 1024


class OpenAIServer(ThreadingHTTPServer):
    """The HTTP server: holds the engine and the API key for its handlers."""

    daemon_threads = True
    allow_reuse_address = True
    # SDG clients open dozens of connections at once; the default backlog of 5 makes the rest
    # wait for a SYN retry (a second or more) before the server even sees them.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], engine: Engine, api_key: str | None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.engine = engine
        self.api_key = api_key
        self.created = int(time.time())

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self.server_address[1])


class _ClientWatch:
    """Cancels a generation when the client closes its connection while it waits."""

    def __init__(self, sock: socket.socket, generation: Generation) -> None:
        self._sock = sock
        self._generation = generation
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            try:
                readable, _, _ = select.select([self._sock], [], [], 1.0)
                if readable and not self._sock.recv(1, socket.MSG_PEEK):
                    self._generation.cancel()
                    return
            except (OSError, ValueError):
                self._generation.cancel()
                return

    def stop(self) -> None:
        self._done.set()


class _Handler(BaseHTTPRequestHandler):
    server: OpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    # ---- plumbing ----------------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "code": status}})

    def _authorized(self) -> bool:
        key = self.server.api_key
        if not key:
            return True
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {key}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return True
        self._send_error(HTTPStatus.UNAUTHORIZED, "a valid API key is required", "auth_error")
        return False

    def _read_body(self) -> dict[str, Any] | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > _MAX_BODY:
            self._send_error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, f"the body is not valid JSON: {exc}")
            return None
        if not isinstance(body, dict):
            self._send_error(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
            return None
        return body

    # ---- routes ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path in ("/health", "/v1/health"):
            self._send_json(HTTPStatus.OK, {"status": "ok"})
            return
        if not self._authorized():
            return
        engine = self.server.engine
        if path == "/v1/models":
            model = {
                "id": engine.model_id,
                "object": "model",
                "created": self.server.created,
                "owned_by": "instructlab",
                "max_model_len": engine.context_size,
            }
            self._send_json(HTTPStatus.OK, {"object": "list", "data": [model]})
        elif path == f"/v1/models/{engine.model_id}":
            self._send_json(
                HTTPStatus.OK,
                {"id": engine.model_id, "object": "model", "owned_by": "instructlab"},
            )
        else:
            self._send_error(HTTPStatus.NOT_FOUND, f"no route {self.path}")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path not in ("/v1/completions", "/v1/chat/completions"):
            self._send_error(HTTPStatus.NOT_FOUND, f"no route {self.path}")
            return
        if not self._authorized():
            return
        body = self._read_body()
        if body is None:
            return
        chat = path == "/v1/chat/completions"
        try:
            self._complete(body, chat)
        except EngineError as exc:
            self._send_error(exc.status, str(exc))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _complete(self, body: dict[str, Any], chat: bool) -> None:
        engine = self.server.engine
        echo, logprobs = (False, None) if chat else _echo_and_logprobs(body)
        if echo or logprobs is not None:
            self._complete_scored(body, echo, logprobs)
            return
        params = SamplingParams.from_request(body, None)
        if chat:
            messages: list[dict[str, Any]] = check_messages(body.get("messages"))
            try:
                prompt = engine.render_chat(messages)
            except ChatTemplateError as exc:
                raise EngineError(str(exc)) from None
        else:
            prompt = _prompt_of(body)
        generation = engine.generate(prompt, params)
        watch = _ClientWatch(self.connection, generation)
        try:
            if body.get("stream"):
                self._stream(generation, chat, body)
            else:
                self._whole(generation, chat)
        except (BrokenPipeError, ConnectionResetError):
            generation.cancel()
            raise
        finally:
            watch.stop()

    def _complete_scored(self, body: dict[str, Any], echo: bool, logprobs: int | None) -> None:
        """A completion with ``echo`` and/or ``logprobs`` (never streamed)."""
        engine = self.server.engine
        score = getattr(engine, "score", None)
        if logprobs is not None and score is None:
            raise EngineError("this server's engine does not return logprobs")
        if body.get("stream"):
            raise EngineError("'echo' and 'logprobs' are not supported with 'stream'")
        prompt = _prompt_of(body)
        only_prompt = echo and body.get("max_tokens") == 0
        if only_prompt:
            params = SamplingParams.from_request({**body, "max_tokens": None}, None)
            texts, reasons, prompt_tokens, completion_tokens = [""] * params.n, ["length"], 0, 0
            reasons *= params.n
        else:
            params = SamplingParams.from_request(body, None)
            generation = engine.generate(prompt, params)
            watch = _ClientWatch(self.connection, generation)
            try:
                texts, reasons, completion_tokens = _collect(generation)
            finally:
                watch.stop()
            prompt_tokens = generation.prompt_tokens
        choices: list[dict[str, Any]] = []
        for i, text in enumerate(texts):
            entry: dict[str, Any] = {
                "index": i,
                "text": prompt + text if echo else text,
                "logprobs": None,
                "finish_reason": reasons[i],
            }
            if logprobs is not None:
                assert score is not None
                scored: list[TokenLogprob] = score(prompt + text, logprobs)
                if only_prompt:
                    prompt_tokens = len(scored)
                if not echo:
                    scored = [t for t in scored if t.offset >= len(prompt)]
                entry["logprobs"] = _legacy_logprobs(scored, logprobs)
            choices.append(entry)
        self._send_json(
            HTTPStatus.OK,
            {
                "id": "cmpl-" + uuid.uuid4().hex,
                "object": "text_completion",
                "created": int(time.time()),
                "model": engine.model_id,
                "choices": choices,
                "usage": _usage(prompt_tokens, completion_tokens),
            },
        )

    def _whole(self, generation: Generation, chat: bool) -> None:
        texts = [""] * generation.n
        reasons = ["stop"] * generation.n
        completion_tokens = 0
        for event in generation:
            if isinstance(event, Delta):
                texts[event.index] += event.text
            else:
                reasons[event.index] = event.reason
                completion_tokens += event.completion_tokens
        choices: list[dict[str, Any]] = []
        for i, text in enumerate(texts):
            if chat:
                message = {"role": "assistant", "content": text}
                choices.append(
                    {"index": i, "message": message, "logprobs": None, "finish_reason": reasons[i]}
                )
            else:
                choices.append(
                    {"index": i, "text": text, "logprobs": None, "finish_reason": reasons[i]}
                )
        self._send_json(
            HTTPStatus.OK,
            {
                "id": ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex,
                "object": "chat.completion" if chat else "text_completion",
                "created": int(time.time()),
                "model": self.server.engine.model_id,
                "choices": choices,
                "usage": _usage(generation.prompt_tokens, completion_tokens),
            },
        )

    def _stream(self, generation: Generation, chat: bool, body: dict[str, Any]) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        ident = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex
        created = int(time.time())
        model = self.server.engine.model_id
        kind = "chat.completion.chunk" if chat else "text_completion"

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> None:
            payload = {"id": ident, "object": kind, "created": created, "model": model}
            payload["choices"] = choices
            payload.update(extra)
            self.wfile.write(b"data: " + json.dumps(payload).encode("utf-8") + b"\n\n")
            self.wfile.flush()

        if chat:
            chunk(
                [
                    {
                        "index": i,
                        "delta": {"role": "assistant", "content": ""},
                        "logprobs": None,
                        "finish_reason": None,
                    }
                    for i in range(generation.n)
                ]
            )
        completion_tokens = 0
        for event in _events(generation):
            if isinstance(event, EngineError):
                error = {"error": {"message": str(event), "type": "server_error"}}
                self.wfile.write(b"data: " + json.dumps(error).encode("utf-8") + b"\n\n")
                break
            if isinstance(event, Delta):
                if chat:
                    choice = {"index": event.index, "delta": {"content": event.text}}
                else:
                    choice = {"index": event.index, "text": event.text}
                chunk([{**choice, "logprobs": None, "finish_reason": None}])
            else:
                completion_tokens += event.completion_tokens
                end: dict[str, Any] = {"index": event.index, "logprobs": None}
                if chat:
                    end["delta"] = {}
                else:
                    end["text"] = ""
                chunk([{**end, "finish_reason": event.reason}])
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            chunk([], usage=_usage(generation.prompt_tokens, completion_tokens))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _prompt_of(body: dict[str, Any]) -> str:
    raw = body.get("prompt")
    if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], str):
        raw = raw[0]
    if not isinstance(raw, str):
        raise EngineError("'prompt' must be a string (or a list holding one string)")
    return raw


def _echo_and_logprobs(body: dict[str, Any]) -> tuple[bool, int | None]:
    """``echo`` and ``logprobs`` of a completions request, checked (``logprobs`` 0 to 20)."""
    echo = body.get("echo", False)
    if not isinstance(echo, bool):
        raise EngineError("'echo' must be true or false")
    logprobs = body.get("logprobs")
    if logprobs is None or logprobs is False:
        return echo, None
    if logprobs is True:
        return echo, 0
    if isinstance(logprobs, bool) or not isinstance(logprobs, int) or not 0 <= logprobs <= 20:
        raise EngineError("'logprobs' must be an integer from 0 to 20")
    if echo is False and body.get("max_tokens") == 0:
        raise EngineError("'max_tokens' 0 needs 'echo': true")
    return echo, logprobs


def _collect(generation: Generation) -> tuple[list[str], list[str], int]:
    texts = [""] * generation.n
    reasons = ["stop"] * generation.n
    tokens = 0
    for event in generation:
        if isinstance(event, Delta):
            texts[event.index] += event.text
        else:
            reasons[event.index] = event.reason
            tokens += event.completion_tokens
    return texts, reasons, tokens


def _legacy_logprobs(tokens: list[TokenLogprob], top: int) -> dict[str, Any]:
    """OpenAI's legacy completions ``logprobs`` object."""
    return {
        "tokens": [t.token for t in tokens],
        "token_logprobs": [t.logprob for t in tokens],
        "top_logprobs": [t.top if t.logprob is not None and top else None for t in tokens],
        "text_offset": [t.offset for t in tokens],
    }


def _events(generation: Generation) -> Iterable[Delta | Finish | EngineError]:
    try:
        yield from generation
    except EngineError as exc:
        yield exc


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def check_messages(messages: Any) -> list[dict[str, Any]]:
    """``messages`` once checked: a list of role/content objects (OpenAI's content parts become
    their text); anything else is refused with HTTP 400."""
    if not isinstance(messages, list) or not messages:
        raise EngineError("'messages' must be a non-empty list")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise EngineError(f"messages[{i}] must be an object with a 'role'")
        content = message.get("content")
        if isinstance(content, list):
            # OpenAI's content parts: keep the text ones.
            texts = [p.get("text", "") for p in content if isinstance(p, dict)]
            message["content"] = "".join(t for t in texts if isinstance(t, str))
        elif content is None:
            message["content"] = ""
        elif not isinstance(content, str):
            raise EngineError(f"messages[{i}].content must be a string")
    return messages
