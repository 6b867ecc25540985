"""A small OCI distribution registry on 127.0.0.1 for the upload tests: blobs checked against
their digest, manifests accepted only when every blob they name is there (as real registries
do), and a fault switch that fails chosen blob uploads (the Nth PUT of a blob)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class Registry:
    """``with Registry() as r:`` serves on ``r.host`` (``127.0.0.1:PORT``)."""

    TOKEN = "t0ken"

    def __init__(
        self, require_auth: bool = False, auth: str | None = None, user: str = "u:p"
    ) -> None:
        #: None, "basic" or "bearer"; ``require_auth`` answers 401 with no challenge at all.
        self.auth = auth
        self.basic = "Basic " + base64.b64encode(user.encode()).decode()
        self.blobs: dict[str, bytes] = {}
        self.manifests: dict[tuple[str, str], bytes] = {}
        self.uploads: dict[str, bytes] = {}
        self.blob_puts = 0
        self.fail_puts: set[int] = set()
        self.require_auth = require_auth
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Registry:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def manifest(self, name: str, tag: str) -> dict[str, Any] | None:
        raw = self.manifests.get((name, tag))
        return json.loads(raw) if raw is not None else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
                self.send_response(code)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _route(self) -> tuple[str, list[str]]:
                path = urlparse(self.path).path
                return path, path.removeprefix("/v2/").split("/")

            def _denied(self) -> bool:
                given = self.headers.get("Authorization")
                if registry.require_auth:
                    self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
                    return True
                if registry.auth == "basic" and given != registry.basic:
                    self._reply(401, headers={"WWW-Authenticate": 'Basic realm="test"'})
                    return True
                if registry.auth == "bearer" and given != f"Bearer {registry.TOKEN}":
                    realm = f"http://{registry.host}/token"
                    challenge = f'Bearer realm="{realm}",service="test"'
                    self._reply(401, headers={"WWW-Authenticate": challenge})
                    return True
                return False

            def do_GET(self) -> None:
                path, parts = self._route()
                if path == "/token":
                    if self.headers.get("Authorization") != registry.basic:
                        return self._reply(401)
                    return self._reply(200, json.dumps({"token": registry.TOKEN}).encode())
                if self._denied():
                    return
                if path == "/v2/":
                    return self._reply(200, b"{}")
                if len(parts) >= 3 and parts[-2] == "manifests":
                    raw = registry.manifests.get(("/".join(parts[:-2]), parts[-1]))
                    return self._reply(200, raw) if raw is not None else self._reply(404)
                return self._reply(404)

            def do_HEAD(self) -> None:
                if self._denied():
                    return
                _, parts = self._route()
                if len(parts) >= 3 and parts[-2] == "blobs" and parts[-1] in registry.blobs:
                    return self._reply(200)
                return self._reply(404)

            def do_POST(self) -> None:
                if self._denied():
                    return
                self._body()
                path, parts = self._route()
                if path.endswith("/blobs/uploads/"):
                    upload = uuid.uuid4().hex
                    registry.uploads[upload] = b""
                    name = "/".join(parts[:-3])
                    location = f"/v2/{name}/blobs/uploads/{upload}?state=x"
                    return self._reply(202, headers={"Location": location})
                return self._reply(404)

            def do_PUT(self) -> None:
                path, parts = self._route()
                body = self._body()
                if self._denied():
                    return
                if "/blobs/uploads/" in path:
                    registry.blob_puts += 1
                    if registry.blob_puts in registry.fail_puts:
                        return self._reply(500, b"disk full")
                    digest = parse_qs(urlparse(self.path).query)["digest"][0]
                    if digest != "sha256:" + hashlib.sha256(body).hexdigest():
                        return self._reply(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
                    registry.blobs[digest] = body
                    return self._reply(201, headers={"Docker-Content-Digest": digest})
                if len(parts) >= 3 and parts[-2] == "manifests":
                    manifest = json.loads(body)
                    named = [manifest["config"], *manifest["layers"]]
                    if any(item["digest"] not in registry.blobs for item in named):
                        return self._reply(400, b'{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN"}]}')
                    registry.manifests[("/".join(parts[:-2]), parts[-1])] = body
                    return self._reply(201)
                return self._reply(404)

        return Handler
