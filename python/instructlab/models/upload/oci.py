"""Pushing a model to an OCI registry (the distribution API over plain HTTP(S), no client tool).

The model is an OCI artifact as ORAS lays it out, so ``oras pull`` restores the files: one blob
per file, titled with its path (``org.opencontainers.image.title``), a small config blob, and an
image manifest with ``artifactType`` ``application/vnd.instructlab.model.v1``. Blobs go first,
each skipped when the registry has it already (an interrupted push resumes); the manifest,
which is what makes the tag exist, goes last.

``oci://HOST[:PORT]/NAME`` is HTTPS, except on loopback (HTTP, as docker treats
``localhost``). Registries that ask for credentials are refused with a message saying so:
this version sends none.
"""

from __future__ import annotations

import datetime
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from instructlab.errors import UploadFailed, UsageError
from instructlab.models.upload import UploadResult, model_files, sha256_of

__all__ = ["ARTIFACT_TYPE", "parse_destination", "push"]

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


class _Registry:
    def __init__(self, base: str, name: str) -> None:
        self.base = base
        self.name = name

    def call(
        self,
        method: str,
        url: str,
        body: bytes | IO[bytes] | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, Any]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
                return response.status, response.headers
        except urllib.error.HTTPError as exc:
            if exc.code in ok:
                return exc.code, exc.headers
            detail = exc.read(300).decode("utf-8", "replace").strip()
            if exc.code == 401:
                raise UploadFailed(
                    self.base,
                    "the registry asks for credentials, and this version sends none; push to "
                    "a registry that accepts anonymous pushes",
                ) from None
            raise UploadFailed(
                self.base, f"{method} {url} answered HTTP {exc.code}: {detail or exc.reason}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UploadFailed(self.base, f"the registry is unreachable ({reason})") from None

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
