"""A small OpenAI-compatible client (standard library only) for chat and health checks.

Chat needs only a few calls: list models, stream a chat completion, or get one whole. Errors name
the endpoint and say what to do.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from instructlab.errors import ServerError

__all__ = ["Endpoint"]


class Endpoint:
    """An OpenAI-compatible API at ``base_url`` (ending in ``/v1``)."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 600.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def _request(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            with contextlib.suppress(ValueError, KeyError, TypeError):
                detail = json.loads(detail)["error"]["message"]
            raise ServerError(f"{self.base_url}{path} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerError(
                f"cannot reach {self.base_url}: {reason}; is the server running "
                "(`ilab model serve`)?"
            ) from None

    def models(self) -> list[str]:
        """The model ids the endpoint serves."""
        with self._request("/models") as response:
            payload = json.load(response)
        return [m["id"] for m in payload.get("data", []) if isinstance(m, dict) and "id" in m]

    def chat(self, model: str, messages: list[dict[str, str]], **options: Any) -> str:
        """One whole chat completion's text."""
        body = {"model": model, "messages": messages, **options}
        with self._request("/chat/completions", body) as response:
            payload = json.load(response)
        try:
            return str(payload["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError):
            raise ServerError(f"{self.base_url}: unexpected chat answer: {payload}") from None

    def chat_stream(
        self, model: str, messages: list[dict[str, str]], **options: Any
    ) -> Iterator[str]:
        """The reply's text as it is generated (server-sent events)."""
        body = {"model": model, "messages": messages, "stream": True, **options}
        with self._request("/chat/completions", body) as response:
            for raw in response:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    event = json.loads(data)
                except ValueError:
                    continue
                if "error" in event:
                    raise ServerError(f"{self.base_url}: {event['error'].get('message', event)}")
                for choice in event.get("choices", []):
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
