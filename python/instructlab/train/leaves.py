"""Which taxonomy leaf each training sample came from, and the counts per leaf.

The prepared dataset keeps each sample's source file and line; the leaf is read from that
record's SDG ``metadata`` (a JSON string or object): ``leaf_node_path`` (skills records), else
``leaf``, else ``domain`` (knowledge records carry their domain, not their leaf path) as
``domain:<name>``; a record without any of them counts under ``(none)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["NO_LEAF", "leaf_counts", "leaf_of"]

NO_LEAF = "(none)"


def leaf_of(record: Any) -> str:
    """The leaf a training record belongs to (see the module's doc)."""
    if not isinstance(record, dict):
        return NO_LEAF
    metadata = record.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata) if metadata.strip() else {}
        except ValueError:
            metadata = {}
    if not isinstance(metadata, dict):
        return NO_LEAF
    for key in ("leaf_node_path", "leaf"):
        value = metadata.get(key)
        if isinstance(value, str) and value:
            return value
    domain = metadata.get("domain")
    if isinstance(domain, str) and domain:
        return f"domain:{domain}"
    return NO_LEAF


def _leaves_of_lines(path: Path, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number in wanted:
                    try:
                        found[number] = leaf_of(json.loads(raw))
                    except ValueError:
                        found[number] = NO_LEAF
    except OSError:
        return {}
    return found


def leaf_counts(table: Any) -> tuple[list[str], dict[str, dict[str, int]]]:
    """``(leaf of each sample, {leaf: {"samples", "tokens", "learned_tokens"}})`` of a prepared
    dataset (a ``pyarrow.Table`` with ``source_file``, ``source_line``, ``length`` and
    ``learned``)."""
    files = [str(f) for f in table.column("source_file").to_pylist()]
    lines = [int(n) for n in table.column("source_line").to_pylist()]
    lengths = [int(n) for n in table.column("length").to_pylist()]
    learned = [int(n) for n in table.column("learned").to_pylist()]
    wanted: dict[str, set[int]] = {}
    for file, line in zip(files, lines, strict=True):
        wanted.setdefault(file, set()).add(line)
    by_file = {file: _leaves_of_lines(Path(file), numbers) for file, numbers in wanted.items()}
    per_sample = [by_file[f].get(n, NO_LEAF) for f, n in zip(files, lines, strict=True)]
    counts: dict[str, dict[str, int]] = {}
    for leaf, length, learn in zip(per_sample, lengths, learned, strict=True):
        entry = counts.setdefault(leaf, {"samples": 0, "tokens": 0, "learned_tokens": 0})
        entry["samples"] += 1
        entry["tokens"] += length
        entry["learned_tokens"] += learn
    return per_sample, dict(sorted(counts.items()))
