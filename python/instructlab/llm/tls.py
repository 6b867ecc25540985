"""TLS settings for an OpenAI-compatible endpoint: verification and client certificates."""

from __future__ import annotations

import ssl
from pathlib import Path

from instructlab.errors import FileError

__all__ = ["ssl_context"]


def ssl_context(
    insecure: bool = False,
    cert: str | Path | None = None,
    key: str | Path | None = None,
    password: str | None = None,
) -> ssl.SSLContext | None:
    """A TLS context for an endpoint (None: the defaults): ``insecure`` skips verifying the
    server's certificate; ``cert`` (with ``key`` and its ``password``) is a client certificate."""
    if not insecure and cert is None:
        return None
    ctx = ssl.create_default_context()
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert is not None:
        try:
            ctx.load_cert_chain(str(cert), str(key) if key else None, password)
        except (OSError, ssl.SSLError) as exc:
            raise FileError(str(cert), f"cannot load the TLS client certificate: {exc}") from None
    return ctx
