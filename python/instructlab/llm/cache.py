"""The request cache: every answered completion, keyed by the request and its place in the run.

The place (leaf, block, row id, iteration, sample index) is part of the key, so two identical
prompts at different places are two entries: a resumed run re-sends nothing already answered, yet
IterBlock iterations and emulated ``n`` samples keep their variety. On disk it is one append-only
JSON-lines file per run; a line cut short by a kill is ignored when the file is read back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import IO, Any

from instructlab.fileio import read_bytes

__all__ = ["RequestCache", "request_digest"]

log = logging.getLogger("instructlab.llm")


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
        #: Lines of the file that were not cache entries (and were skipped).
        self.damaged = 0
        if self.path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        if not self.path.exists():
            return
        damaged = 0
        # Bytes, not text: one damaged line (binary garbage from a disk fault, a line cut short
        # by a kill) costs that entry alone, never the whole cache.
        for line in read_bytes(self.path).split(b"\n"):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                key, text = entry["k"], entry["t"]
                if not isinstance(key, str) or not isinstance(text, str):
                    raise TypeError("not a cache entry")
            except (ValueError, KeyError, TypeError):
                damaged += 1
                continue
            self._entries[key] = text
        self.loaded = len(self._entries)
        self.damaged = damaged
        if damaged > 1:  # one is the last line of a killed run; more is damage worth saying
            log.warning(
                "%s: %d damaged lines skipped; their requests are sent again", self.path, damaged
            )

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
