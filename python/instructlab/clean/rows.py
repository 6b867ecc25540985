"""Rows to clean, from a JSONL/Parquet file or an in-memory dataset, and their text columns.

Besides real columns, a row with ``messages`` (``[{role, content}]``) offers the virtual
columns ``user``, ``assistant`` and ``system`` (the contents of that role, joined). For the
``user`` text, the passages the row carries (:data:`PASSAGE_FIELDS`, in the row or its
``metadata``) are cut out, so that knowledge rows are compared on their question, not on the
document they share by design. Mixing judges rows with the same function.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from instructlab.clean._deps import require
from instructlab.errors import FileError, UsageError
from instructlab.fileio import atomic_open, iter_jsonl

ROLES = ("user", "assistant", "system")
#: Row and metadata fields that hold passages: text a knowledge row wraps around its question.
PASSAGE_FIELDS = ("sdg_document", "raw_document", "document", "context")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def passages(record: Mapping[str, Any]) -> list[str]:
    """The passages ``record`` carries (:data:`PASSAGE_FIELDS` of the row and of its metadata,
    which may be a JSON string), longest first."""
    metadata = record.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata) if metadata.strip() else {}
        except ValueError:
            metadata = {}
    found: list[str] = []
    for source in (record, metadata if isinstance(metadata, dict) else {}):
        for name in PASSAGE_FIELDS:
            value = source.get(name)
            if isinstance(value, str) and value.strip():
                found.append(value)
    return sorted(found, key=len, reverse=True)


def role_text(record: Mapping[str, Any], role: str, *, without_passages: bool = False) -> str:
    """The contents of ``record``'s ``role`` messages, joined by line breaks; with
    ``without_passages``, the record's passages cut out (what decontamination compares)."""
    messages = record.get("messages")
    if not isinstance(messages, list):
        return ""
    parts = [
        _as_text(m.get("content"))
        for m in messages
        if isinstance(m, dict) and m.get("role") == role
    ]
    text = "\n".join(parts)
    if without_passages:
        for passage in passages(record):
            text = text.replace(passage, " ")
    return text


class Rows:
    """Rows and where they came from; keeps a subset in the same form as the input."""

    def __init__(
        self,
        source: str,
        *,
        records: list[dict[str, Any]] | None = None,
        lines: list[str] | None = None,
        table: Any | None = None,
        dataset: Any | None = None,
        flat: Any | None = None,
    ) -> None:
        self.source = source
        self._flat = flat
        self._records = records
        self._lines = lines
        self._table = table
        self._dataset = dataset

    def __len__(self) -> int:
        if self._table is not None:
            return int(self._table.num_rows)
        return len(self._records or [])

    @property
    def names(self) -> list[str]:
        """The real column names."""
        if self._table is not None:
            return list(self._table.column_names)
        seen: dict[str, None] = {}
        for record in self._records or []:
            seen.update(dict.fromkeys(record))
        return list(seen)

    def _has(self, name: str) -> bool:
        return name in self.names or (name in ROLES and "messages" in self.names)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts."""
        if self._records is None:
            self._records = list(self._table.to_pylist()) if self._table is not None else []
        return self._records

    def record(self, row: int) -> dict[str, Any]:
        """One row as a dict (without converting the whole table)."""
        if self._records is None and self._table is not None:
            return dict(self._table.slice(row, 1).to_pylist()[0])
        return self.records()[row]

    def column(self, name: str) -> Any:
        """A text column for the kernels: an Arrow string column when the data is Arrow (zero
        copy), else a list of strings."""
        if not self._has(name):
            raise UsageError(
                f"{self.source}: no column {name!r}; columns: {', '.join(self.names) or 'none'}"
            )
        if self._table is not None and name in self._table.column_names:
            pa = require("pyarrow")
            column = self._table.column(name)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                return column
        return self.texts(name)

    def texts(self, name: str) -> list[str]:
        """A column as Python strings (virtual role columns included)."""
        if name in ROLES and name not in self.names:
            return [role_text(r, name, without_passages=name == "user") for r in self.records()]
        return [_as_text(r.get(name)) for r in self.records()]

    def qa_columns(self) -> list[str]:
        """The question and answer text columns: question/answer (or response), else the user
        and assistant messages."""
        names = self.names
        answer = next((a for a in ("answer", "response") if a in names), None)
        if "question" in names or answer:
            return [c for c in ("question", answer) if c and c in names]
        if "messages" in names:
            return ["user", "assistant"]
        return []

    def default_columns(self) -> list[str]:
        """The columns compared when none are named: the question/answer text, else ``text``."""
        columns = self.qa_columns()
        if columns:
            return columns
        if "text" in self.names:
            return ["text"]
        raise UsageError(
            f"{self.source}: cannot tell which columns hold the text; name them "
            f"(columns: {', '.join(self.names) or 'none'})"
        )

    def preview(self, row: int, columns: list[str], width: int = 160) -> str:
        """A one-line excerpt of ``row`` for reports."""
        record = self.record(row)
        parts = []
        for name in columns:
            text = (
                role_text(record, name, without_passages=name == "user")
                if name in ROLES and name not in record
                else _as_text(record.get(name))
            )
            parts.append(" ".join(text.split()))
        text = " | ".join(parts)
        return text if len(text) <= width else text[: width - 1] + "…"

    def subset(self, keep: Any) -> Any:
        """The kept rows in the input's own form: a ``datasets.Dataset``, a pyarrow Table, or a
        list of dicts."""
        np = require("numpy")
        mask = np.asarray(keep, dtype=bool)
        if self._dataset is not None:
            return self._dataset_subset(np.flatnonzero(mask))
        if self._table is not None:
            pa = require("pyarrow")
            return self._table.filter(pa.array(mask))
        return [r for r, k in zip(self.records(), mask, strict=True) if k]

    def _dataset_subset(self, rows: Any) -> Any:
        """A Dataset of ``rows``: an in-memory index mapping over the same table, which is what
        ``Dataset.select`` builds, without its per-index Python loops."""
        import hashlib

        pa = require("pyarrow")
        table_module = require("datasets.table")
        dataset: Any = self._flat if self._flat is not None else self._dataset
        indices = pa.table({"indices": pa.array(rows, type=pa.uint64())})
        digest = hashlib.sha256(str(dataset._fingerprint).encode())
        digest.update(rows.tobytes())
        return type(dataset)(
            dataset.data,
            info=dataset.info.copy(),
            split=dataset.split,
            indices_table=table_module.InMemoryTable(indices),
            fingerprint=digest.hexdigest()[:16],
        )

    def write(self, keep: Any, path: Path) -> None:
        """Writes the kept rows to ``path`` (``.jsonl`` or ``.parquet``). JSONL input lines are
        copied unchanged."""
        np = require("numpy")
        mask = np.asarray(keep, dtype=bool)
        if path.suffix == ".parquet":
            pa = require("pyarrow")
            pq = require("pyarrow.parquet")
            table = self._table
            if table is None:
                table = pa.Table.from_pylist(self.records())
            with atomic_open(path, "wb") as handle:
                pq.write_table(table.filter(pa.array(mask)), handle)
            return
        with atomic_open(path, "w") as out:
            if self._lines is not None:
                for line, k in zip(self._lines, mask, strict=True):
                    if k:
                        out.write(line if line.endswith("\n") else line + "\n")
            else:
                for record, k in zip(self.records(), mask, strict=True):
                    if k:
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> Rows:
    records: list[dict[str, Any]] = []
    lines: list[str] = []
    for _, line, record in iter_jsonl(path):
        records.append(record)
        lines.append(line)
    return Rows(str(path), records=records, lines=lines)


def load_rows(data: Any) -> Rows:
    """Rows from a path (``.jsonl``/``.json`` lines or ``.parquet``), a pyarrow Table, a
    ``datasets.Dataset``, or a list of dicts."""
    if isinstance(data, Rows):
        return data
    if isinstance(data, (str, Path)):
        path = Path(data)
        if path.is_dir():
            raise FileError(str(path), "is a folder; expected a .jsonl or .parquet file")
        if not path.is_file():
            raise FileError(str(path), "does not exist")
        if path.suffix == ".parquet":
            pq = require("pyarrow.parquet")
            try:
                rows = Rows(str(path), table=pq.read_table(path))
            except Exception as err:  # pyarrow raises several unrelated types
                raise FileError(str(path), f"not a readable Parquet file ({err})") from err
        elif path.suffix in (".jsonl", ".json"):
            rows = _read_jsonl(path)
        else:
            raise UsageError(f"{path}: expected a .jsonl or .parquet file")
        if len(rows) == 0:
            raise FileError(str(path), "holds no rows")
        return rows
    if isinstance(data, list):
        if not all(isinstance(r, dict) for r in data):
            raise UsageError("a list of rows must hold dicts")
        return Rows("<rows>", records=data)
    if type(data).__module__.startswith("datasets") and hasattr(data, "with_format"):
        # A Dataset's table may sit behind an index mapping (after select/filter/shuffle).
        flat = data.flatten_indices() if getattr(data, "_indices", None) is not None else data
        return Rows("<dataset>", table=flat.data.table, dataset=data, flat=flat)
    if hasattr(data, "column_names") and hasattr(data, "filter") and hasattr(data, "num_rows"):
        return Rows("<table>", table=data)
    raise UsageError(
        f"cannot clean a {type(data).__name__}: give a .jsonl/.parquet path, a pyarrow Table, "
        "a datasets.Dataset or a list of dicts"
    )
