"""Checking an endpoint URL before anything is sent to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from instructlab.errors import UsageError

__all__ = ["check_url"]


def check_url(url: str, param: str = "endpoint_url") -> str:
    """``url`` if it is an ``http(s)://host[:port][/path]`` URL; else :class:`UsageError`
    naming ``param`` and saying what is wrong."""
    shown = url if len(url) <= 80 else url[:77] + "..."
    if not url or any(c.isspace() for c in url):
        raise UsageError(f"{param}: {shown!r} is not a URL (it is empty or holds spaces)", param)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        got = f"'{parts.scheme}://'" if parts.scheme else "no scheme"
        raise UsageError(
            f"{param}: {shown!r} has {got}; expected http:// or https:// "
            "(e.g. http://127.0.0.1:8000/v1)",
            param,
        )
    if not parts.hostname:
        raise UsageError(f"{param}: {shown!r} names no host (e.g. http://127.0.0.1:8000/v1)", param)
    try:
        port = parts.port
    except ValueError:
        raise UsageError(f"{param}: {shown!r} has a port outside 1-65535", param) from None
    if port == 0:
        raise UsageError(f"{param}: {shown!r} has a port outside 1-65535", param)
    return url
