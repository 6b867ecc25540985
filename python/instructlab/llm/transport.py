"""A small HTTP/1.1 client over asyncio streams: keep-alive connections, JSON bodies.

The OpenAI Python client spends about 2 ms of CPU per request (pydantic models, httpx layers); a
generation run sends tens of thousands of requests while the teacher is the bottleneck, so the hot
path here is a handful of byte operations and one ``json.loads``.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from instructlab.llm.url import check_url

__all__ = ["HttpError", "Response", "Transport"]


class HttpError(Exception):
    """The connection failed or the reply was not HTTP we understand."""


@dataclass(frozen=True)
class Response:
    """A reply: status, lower-cased headers and the body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError if it is not)."""
        return json.loads(self.body)


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class Transport:
    """Keep-alive connections to one origin (``http://host:port`` or ``https://…``)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        parts = urlsplit(check_url(base_url, "base_url"))
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.ssl: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self.ssl = ssl_context or ssl.create_default_context()
        host_header = parts.netloc
        fixed = {"Host": host_header, "Content-Type": "application/json", "Accept": "*/*"}
        if api_key:
            fixed["Authorization"] = f"Bearer {api_key}"
        fixed.update(headers or {})
        self._head_tail = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode("latin-1")
        self._idle: list[_Conn] = []

    async def _connect(self) -> _Conn:
        try:
            reader, writer = await asyncio.open_connection(
                self.host, self.port, ssl=self.ssl, limit=1 << 22
            )
        except OSError as exc:
            raise HttpError(f"cannot connect to {self.base_url}: {exc}") from None
        return _Conn(reader, writer)

    async def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        """Sends one request; a stale kept-alive connection is retried once on a fresh one."""
        target = self.prefix + path
        head = f"{method} {target} HTTP/1.1\r\n".encode("latin-1") + self._head_tail
        if body is not None:
            head += b"Content-Length: %d\r\n" % len(body)
        payload = head + b"\r\n" + (body or b"")
        while self._idle:
            conn = self._idle.pop()
            try:
                return await self._exchange(conn, payload)
            except (HttpError, OSError, asyncio.IncompleteReadError):
                conn.close()  # the server closed it while idle; try the next one
            except BaseException:
                conn.close()
                raise
        conn = await self._connect()
        try:
            return await self._exchange(conn, payload)
        except (OSError, asyncio.IncompleteReadError) as exc:
            conn.close()
            raise HttpError(
                f"{self.base_url}: connection lost: {exc or type(exc).__name__}"
            ) from None
        except BaseException:
            conn.close()
            raise

    async def _exchange(self, conn: _Conn, payload: bytes) -> Response:
        conn.writer.write(payload)
        reader = conn.reader
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise HttpError("reply headers too large") from None
        lines = head.decode("latin-1").split("\r\n")
        status_line = lines[0].split(" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith("HTTP/"):
            raise HttpError(f"not an HTTP reply: {lines[0][:80]!r}")
        status = int(status_line[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(chunks)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            body = await reader.read()  # delimited by the server closing the connection
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close" or status_line[0] == "HTTP/1.0":
            conn.close()
        else:
            self._idle.append(conn)
        return Response(status, headers, body)

    def close(self) -> None:
        """Closes every idle connection."""
        for conn in self._idle:
            conn.close()
        self._idle.clear()

    async def aclose(self, timeout: float = 1.0) -> None:
        """Closes every idle connection and waits (briefly) until they are closed: a TLS
        connection says goodbye first, and its socket would outlive a loop that ends now."""
        conns, self._idle = self._idle, []
        for conn in conns:
            conn.close()

        async def closed(conn: _Conn) -> None:
            try:
                await asyncio.wait_for(conn.writer.wait_closed(), timeout)
            except (OSError, asyncio.TimeoutError):
                conn.writer.transport.abort()

        await asyncio.gather(*(closed(conn) for conn in conns))
