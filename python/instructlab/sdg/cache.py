"""The request cache: every answered completion, keyed by the request and its place in the run.

The place (leaf, block, row id, iteration, sample index) is part of the key, so two identical
prompts at different places are two entries: a resumed run re-sends nothing already answered, yet
IterBlock iterations and emulated ``n`` samples keep their variety. On disk it is one append-only
JSON-lines file per run; a line cut short by a kill is ignored when the file is read back.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import IO, Any

__all__ = ["RequestCache", "request_digest"]


def request_digest(kind: str, body: dict[str, Any]) -> str:
    """A digest of a request's content (everything the server sees)."""
    text = json.dumps([kind, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class RequestCache:
    """Answered completions by key; persisted when given a file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._entries: dict[str, str] = {}
        self._file: IO[str] | None = None
        self.loaded = 0
        if self.path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        if self.path.exists():
            with self.path.open(encoding="utf-8") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                        self._entries[entry["k"]] = entry["t"]
                    except (ValueError, KeyError, TypeError):
                        continue  # the last line of a killed run may be incomplete
            self.loaded = len(self._entries)

    @staticmethod
    def key(digest: str, place: str, sample: int) -> str:
        """The key of sample ``sample`` of a request with this digest at this place."""
        return f"{digest}|{place}|{sample}"

    def get(self, key: str) -> str | None:
        """The cached text, or None."""
        return self._entries.get(key)

    def put(self, key: str, text: str) -> None:
        """Records an answer (written through to disk at once)."""
        self._entries[key] = text
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
            if self._file.tell() > 0:
                self._file.write("\n")  # never glue a new entry onto a half-written line
        self._file.write(json.dumps({"k": key, "t": text}, ensure_ascii=False) + "\n")
        self._file.flush()

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        """Flushes and closes the file."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
