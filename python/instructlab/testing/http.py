"""The mock server's HTTP/1.1: keep-alive connections, JSON bodies, an API-key check.

Just enough HTTP for OpenAI clients and ours; everything about replies lives in the routes the
server passes in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Reply", "Route", "serve_connection"]

#: (status, JSON payload, extra headers).
Reply = tuple[int, dict[str, Any], dict[str, str]]
#: What answers one request: ``route(method, path, body)``.
Route = Callable[[str, str, bytes], Awaitable[Reply]]


async def serve_connection(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    route: Route,
    api_key: str | None = None,
    on_request: Callable[[], None] | None = None,
) -> None:
    """Answers requests on one connection until the client closes it (or the task is
    cancelled); requests without the right ``Bearer`` key get HTTP 401."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            headers = {}
            for line in lines[1:]:
                if line:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if on_request is not None:
                on_request()
            extra: dict[str, str] = {}
            if api_key and headers.get("authorization") != f"Bearer {api_key}":
                status, payload = 401, {"error": {"message": "bad API key"}}
            else:
                status, payload, extra = await route(method, path, body)
            data = json.dumps(payload).encode()
            head_out = (
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in extra.items())
                + "\r\n"
            ).encode()
            writer.write(head_out + data)
            await writer.drain()
    except (asyncio.CancelledError, ConnectionError):
        pass
    finally:
        writer.close()
