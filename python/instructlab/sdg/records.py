"""Training records: InstructLab's ``{"id", "messages", "metadata", "unmask"}`` JSON lines.

``messages`` is a list of ``{"role", "content"}``; ``metadata`` is a JSON *string* holding every
other column; ``unmask`` is true for pre-training style samples (knowledge phase 0.7). Ids are
derived from content, so the same inputs always give the same records.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

#: The columns of a training record; anything else moves into ``metadata``.
ALLOWED_COLUMNS = ("id", "messages", "metadata", "unmask")

_ID_NAMESPACE = uuid.UUID("6f1d6c1e-55b8-4f55-9a44-5e0c34a3b2d1")

Row = dict[str, Any]


def record_id(*parts: Any) -> str:
    """A stable id for a record made from ``parts`` (the same content gives the same id)."""
    return str(uuid.uuid5(_ID_NAMESPACE, json.dumps(parts, sort_keys=True, ensure_ascii=False)))


def question_and_response(row: Mapping[str, Any]) -> tuple[str, str]:
    """The generated question and answer of a row.

    Pipelines write ``question`` and ``response``; a pipeline that writes the pair as one
    ``output`` text (instructlab-sdg's simple pipelines) is split after its first ``?``.
    """
    if "question" in row or "response" in row:
        return str(row.get("question") or "").strip(), str(row.get("response") or "").strip()
    output = str(row.get("output") or "")
    head, mark, tail = output.partition("?")
    if not mark:
        return "", output.strip()
    return f"{head.strip()}?", tail.strip()


def metadata_of(row: Mapping[str, Any], skip: Iterable[str]) -> dict[str, Any]:
    skipped = set(skip)
    return {k: v for k, v in row.items() if k not in skipped}


def to_training_record(row: Mapping[str, Any]) -> Row:
    """A row with ``messages`` as a training record: other columns move into ``metadata``."""
    metadata = row.get("metadata") or {}
    if isinstance(metadata, str):
        metadata = json.loads(metadata) if metadata.strip() else {}
    metadata = dict(metadata)
    metadata.update(metadata_of(row, ALLOWED_COLUMNS))
    messages = [dict(m) for m in row.get("messages") or []]
    return {
        "id": str(row.get("id") or record_id(messages)),
        "messages": messages,
        "metadata": json.dumps(metadata, ensure_ascii=False),
        "unmask": bool(row.get("unmask", False)),
    }


def with_system_prompt(record: Row, system_prompt: str) -> Row:
    """The record with its system message set to ``system_prompt`` (added first if missing)."""
    messages = [dict(m) for m in record["messages"]]
    systems = [m for m in messages if m.get("role") == "system"]
    for message in systems:
        message["content"] = system_prompt
    if not systems:
        messages.insert(0, {"role": "system", "content": system_prompt})
    return {**record, "messages": messages}


def has_content(record: Mapping[str, Any]) -> bool:
    """Whether every non-system message of a record says something."""
    messages = record.get("messages") or []
    return bool(messages) and all(
        str(m.get("content") or "").strip() for m in messages if m.get("role") != "system"
    )


def skill_record(row: Mapping[str, Any], system_prompt: str) -> Row | None:
    """A generated skill row as a training record (system, user, assistant); None when empty.

    A grounded pipeline puts the context into the question itself (its combine block), so the
    user message is the question as generated.
    """
    question, response = question_and_response(row)
    if not question or not response:
        return None
    messages = [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": question},
        {"role": "assistant", "content": response},
    ]
    metadata = metadata_of(row, ("question", "response", "output", *ALLOWED_COLUMNS))
    return {
        "id": record_id("skill", messages),
        "messages": messages,
        "metadata": json.dumps(metadata, ensure_ascii=False),
        "unmask": False,
    }
