"""JSON-lines files: read with the failing line named, write atomically, count cheaply."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from instructlab.errors import FileError

Row = dict[str, Any]


def read_jsonl(path: str | Path) -> list[Row]:
    """Every object of a JSON-lines file.

    Raises:
        FileError: the file cannot be read, or a line is not a JSON object (file and line named).
    """
    source = Path(path)
    rows: list[Row] = []
    try:
        with source.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FileError(f"{source}:{number}", f"not valid JSON ({exc.msg})") from None
                if not isinstance(value, dict):
                    raise FileError(f"{source}:{number}", "expected a JSON object on each line")
                rows.append(value)
    except OSError as exc:
        raise FileError(str(source), exc.strerror or str(exc)) from None
    return rows


def write_jsonl(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Writes rows as JSON lines (UTF-8, not ASCII-escaped), atomically; returns the row count."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    count = 0
    with partial.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False))
            handle.write("\n")
            count += 1
    partial.replace(target)
    return count


def count_jsonl_rows(path: str | Path) -> int:
    """Non-empty lines of a JSON-lines file (cheap: nothing is parsed)."""
    with Path(path).open("rb") as handle:
        return sum(1 for line in handle if line.strip())
