"""Pushing a model to an OCI registry (the distribution API over plain HTTP(S), no client tool).

The model is an OCI artifact as ORAS lays it out, so ``oras pull`` restores the files: one blob
per file, titled with its path (``org.opencontainers.image.title``), a small config blob, and an
image manifest with ``artifactType`` ``application/vnd.instructlab.model.v1``. Blobs go first,
each skipped when the registry has it already (an interrupted push resumes); the manifest,
which is what makes the tag exist, goes last.

``oci://HOST[:PORT]/NAME`` is HTTPS, except on loopback (HTTP, as docker treats
``localhost``). A registry that asks for credentials gets them the way docker and podman send
them (HTTP Basic, or a bearer token from the registry's token service): from
``ILAB_OCI_USERNAME`` and ``ILAB_OCI_PASSWORD``, else from the login files of
``podman login`` / ``docker login`` (``REGISTRY_AUTH_FILE``,
``$XDG_RUNTIME_DIR/containers/auth.json``, ``~/.config/containers/auth.json``,
``~/.docker/config.json``; credential helpers are not read).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from instructlab.errors import UploadFailed, UsageError
from instructlab.models.upload import UploadResult, model_files, sha256_of

__all__ = ["ARTIFACT_TYPE", "credentials", "parse_destination", "push"]

#: The OCI artifact type of an uploaded model.
ARTIFACT_TYPE = "application/vnd.instructlab.model.v1"
_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_CONFIG = "application/vnd.instructlab.model.config.v1+json"
_LAYER = "application/octet-stream"
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_TIMEOUT = 600.0


def parse_destination(destination: str) -> tuple[str, str, str]:
    """(base URL of the registry, repository name, where) of ``oci://HOST[:PORT]/NAME``."""
    text = destination.removeprefix("oci://")
    registry, _, name = text.partition("/")
    host = registry.rsplit(":", 1)[0] if not registry.startswith("[") else registry
    if not registry or not name or any(c.isspace() for c in text) or "//" in name:
        raise UsageError(
            f"destination: {destination!r} is not an OCI reference (oci://HOST[:PORT]/NAME)",
            "destination",
        )
    if name != name.lower():
        raise UsageError(
            f"destination: the repository name {name!r} must be lower case", "destination"
        )
    scheme = "http" if host in _LOOPBACK else "https"
    return f"{scheme}://{registry}", name, f"oci://{registry}/{name}"


def _auth_files() -> list[Path]:
    files = []
    if os.environ.get("REGISTRY_AUTH_FILE"):
        files.append(Path(os.environ["REGISTRY_AUTH_FILE"]))
    if os.environ.get("XDG_RUNTIME_DIR"):
        files.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "containers" / "auth.json")
    home = Path.home()
    files += [home / ".config" / "containers" / "auth.json", home / ".docker" / "config.json"]
    return files


def credentials(registry: str) -> tuple[str, str] | None:
    """(user, password) for ``registry`` (``HOST[:PORT]``): the environment, else a login file."""
    user, password = os.environ.get("ILAB_OCI_USERNAME"), os.environ.get("ILAB_OCI_PASSWORD")
    if user and password:
        return user, password
    for file in _auth_files():
        try:
            auths = json.loads(file.read_text(encoding="utf-8")).get("auths", {})
        except (OSError, ValueError, AttributeError):
            continue
        for key in (registry, f"https://{registry}", f"http://{registry}"):
            entry = auths.get(key) if isinstance(auths, dict) else None
            if isinstance(entry, dict) and isinstance(entry.get("auth"), str):
                try:
                    user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
                except ValueError:
                    continue
                if user:
                    return user, password
    return None


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


class _Registry:
    def __init__(self, base: str, name: str) -> None:
        self.base = base
        self.name = name
        self.host = base.split("://", 1)[1]
        self.authorization: str | None = None

    def call(
        self,
        method: str,
        url: str,
        body: bytes | IO[bytes] | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, Any]:
        for attempt in (1, 2):
            sent = dict(headers or {})
            if self.authorization is not None:
                sent["Authorization"] = self.authorization
            if attempt == 2 and hasattr(body, "seek"):
                body.seek(0)  # type: ignore[union-attr]
            request = urllib.request.Request(url, data=body, method=method, headers=sent)
            try:
                with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
                    return response.status, response.headers
            except urllib.error.HTTPError as exc:
                if exc.code in ok:
                    return exc.code, exc.headers
                detail = exc.read(300).decode("utf-8", "replace").strip()
                if exc.code == 401 and attempt == 1 and self._authenticate(exc.headers):
                    continue
                if exc.code in (401, 403):
                    raise UploadFailed(self.base, self._refused(exc.code)) from None
                raise UploadFailed(
                    self.base, f"{method} {url} answered HTTP {exc.code}: {detail or exc.reason}"
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise UploadFailed(self.base, f"the registry is unreachable ({reason})") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _refused(self, code: int) -> str:
        if credentials(self.host) is None:
            return (
                "the registry asks for credentials: set ILAB_OCI_USERNAME and "
                "ILAB_OCI_PASSWORD, or log in with `podman login` or `docker login`"
            )
        return f"the registry refused the credentials for {self.host} (HTTP {code})"

    def _authenticate(self, headers: Any) -> bool:
        """Answers a 401's challenge: True when there is something new to send."""
        scheme, params = _challenge(str(headers.get("WWW-Authenticate") or ""))
        found = credentials(self.host)
        basic = None
        if found is not None:
            basic = "Basic " + base64.b64encode(f"{found[0]}:{found[1]}".encode()).decode()
        if scheme == "basic":
            if basic is None or self.authorization == basic:
                return False
            self.authorization = basic
            return True
        if scheme != "bearer" or "realm" not in params:
            return False
        query = {
            "service": params.get("service", ""),
            "scope": params.get("scope") or f"repository:{self.name}:pull,push",
        }
        url = params["realm"] + "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v})
        request = urllib.request.Request(url, headers={"Authorization": basic} if basic else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise UploadFailed(self.base, self._refused(exc.code)) from None
            raise UploadFailed(
                self.base, f"the token service {params['realm']} answered HTTP {exc.code}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise UploadFailed(
                self.base, f"the token service {params['realm']} failed ({exc})"
            ) from None
        token = payload.get("token") or payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise UploadFailed(self.base, f"the token service {params['realm']} gave no token")
        self.authorization = f"Bearer {token}"
        return True

    def has_blob(self, digest: str) -> bool:
        status, _ = self.call("HEAD", f"{self.base}/v2/{self.name}/blobs/{digest}", ok=(200, 404))
        return status == 200

    def put_blob(self, digest: str, size: int, body: bytes | IO[bytes]) -> None:
        _, headers = self.call("POST", f"{self.base}/v2/{self.name}/blobs/uploads/", b"", ok=(202,))
        location = headers.get("Location") if headers is not None else None
        if not location:
            raise UploadFailed(self.base, "the registry gave no upload location")
        url = urllib.parse.urljoin(f"{self.base}/", location)
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"digest": digest})
        self.call(
            "PUT",
            url,
            body,
            {"Content-Type": "application/octet-stream", "Content-Length": str(size)},
            ok=(201,),
        )


def push(
    model: Path,
    destination: str,
    release: str,
    *,
    on_status: Callable[[str], None] | None = None,
) -> UploadResult:
    """Pushes ``model`` (a folder or a file) to ``destination`` with the tag ``release``."""
    base, name, where = parse_destination(destination)
    files = model_files(model)
    started = time.monotonic()
    registry = _Registry(base, name)
    registry.call("GET", f"{base}/v2/", ok=(200, 401))
    layers: list[dict[str, Any]] = []
    skipped = 0
    total = 0
    for title, path in files:
        digest = "sha256:" + sha256_of(path)
        size = path.stat().st_size
        total += size
        layers.append(
            {
                "mediaType": _LAYER,
                "digest": digest,
                "size": size,
                "annotations": {"org.opencontainers.image.title": title},
            }
        )
        if registry.has_blob(digest):
            skipped += 1
            continue
        if on_status is not None:
            on_status(f"Pushing {title} ({size} bytes)")
        with path.open("rb") as handle:
            registry.put_blob(digest, size, handle)
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    config = json.dumps({"created": created, "files": [t for t, _ in files]}).encode()
    config_digest = "sha256:" + _sha256_bytes(config)
    if not registry.has_blob(config_digest):
        registry.put_blob(config_digest, len(config), config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": _MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": {"mediaType": _CONFIG, "digest": config_digest, "size": len(config)},
        "layers": layers,
        "annotations": {"org.opencontainers.image.created": created},
    }
    body = json.dumps(manifest).encode()
    registry.call(
        "PUT",
        f"{base}/v2/{name}/manifests/{urllib.parse.quote(release)}",
        body,
        {"Content-Type": _MANIFEST},
        ok=(201,),
    )
    return UploadResult(
        destination=f"{where}:{release}",
        dest_type="oci",
        files=len(files),
        bytes=total,
        skipped=skipped,
        seconds=time.monotonic() - started,
    )


def _sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
