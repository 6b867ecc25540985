"""Seed rows: what a pipeline starts from, one list per taxonomy leaf.

The column names are instructlab-sdg's, so pipeline files written for it find the columns they
expect:

- knowledge: one row per (document chunk, seed example) with ``document``, ``icl_document``,
  ``icl_query_N`` / ``icl_response_N`` (N = 1..3), ``domain``, ``document_outline``;
- freeform skills: ``task_description``, ``seed_question``, ``seed_response``;
- grounded skills: the same plus ``seed_context``;

and every row carries ``leaf_node_type`` and ``leaf_node_path`` (the leaf's folder with ``_``
between parts). The test set (:func:`seed_test_set`) turns the seed examples themselves into
``system`` / ``user`` / ``assistant`` records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from instructlab.documents import DEFAULT_CHUNK_WORD_COUNT, chunk_documents
from instructlab.errors import UsageError
from instructlab.taxonomy.leaf import Leaf

#: Columns of a knowledge seed row besides the numbered ICL pairs.
KNOWLEDGE_COLUMNS = (
    "document",
    "icl_document",
    "document_outline",
    "domain",
    "leaf_node_type",
    "leaf_node_path",
)
#: Columns of a freeform-skill seed row.
FREEFORM_COLUMNS = (
    "task_description",
    "seed_question",
    "seed_response",
    "leaf_node_type",
    "leaf_node_path",
)
#: Columns of a grounded-skill seed row.
GROUNDED_COLUMNS = (*FREEFORM_COLUMNS, "seed_context")
#: Knowledge seed examples carry this many question/answer pairs (schema v3).
ICL_PAIRS = 3

Row = dict[str, Any]


def leaf_node_path(leaf: Leaf) -> str:
    """The leaf's folder with ``_`` between parts (``knowledge_science_ecology_pollinators``)."""
    return "_".join(PurePosixPath(leaf.path).parent.parts)


def taxonomy_path(leaf: Leaf) -> str:
    """The leaf's folder with ``->`` between parts, as InstructLab names leaves in its logs."""
    return "->".join(PurePosixPath(leaf.path).parent.parts)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _seed_examples(leaf: Leaf) -> list[dict[str, Any]]:
    examples = leaf.content.get("seed_examples")
    if not isinstance(examples, list) or not examples:
        raise UsageError(f"{leaf.path}: the leaf has no seed_examples")
    return [e for e in examples if isinstance(e, dict)]


def skill_seed_rows(leaf: Leaf) -> list[Row]:
    """One row per seed example of a skill leaf (freeform, grounded or foundational).

    A seed example with a non-empty ``context`` makes a grounded row, as in InstructLab: the kind
    of each row follows its example, so a foundational leaf can hold both.
    """
    task = _text(leaf.content.get("task_description"))
    node = leaf_node_path(leaf)
    rows: list[Row] = []
    for example in _seed_examples(leaf):
        row: Row = {"task_description": task}
        context = _text(example.get("context"))
        if context:
            row["seed_context"] = context
        row["seed_question"] = _text(example.get("question"))
        row["seed_response"] = _text(example.get("answer"))
        row["leaf_node_type"] = "grounded_skill" if context else "freeform_skill"
        row["leaf_node_path"] = node
        rows.append(row)
    return rows


def knowledge_seed_rows(leaf: Leaf, chunks: Sequence[str]) -> list[Row]:
    """One row per (chunk, seed example) of a knowledge leaf, chunks outermost.

    Raises:
        UsageError: the leaf has no document chunks to generate from.
    """
    if not chunks:
        raise UsageError(f"{leaf.path}: the knowledge leaf has no document text to generate from")
    domain = _text(leaf.content.get("domain"))
    outline = _text(leaf.content.get("document_outline"))
    node = leaf_node_path(leaf)
    examples = _seed_examples(leaf)
    rows: list[Row] = []
    for chunk in chunks:
        for example in examples:
            row: Row = {
                "document": chunk,
                "icl_document": _text(example.get("context")),
                "document_outline": outline,
                "domain": domain,
                "leaf_node_type": "knowledge",
            }
            pairs = example.get("questions_and_answers") or []
            for index in range(ICL_PAIRS):
                pair = pairs[index] if index < len(pairs) and isinstance(pairs[index], dict) else {}
                row[f"icl_query_{index + 1}"] = _text(pair.get("question"))
                row[f"icl_response_{index + 1}"] = _text(pair.get("answer"))
            row["leaf_node_path"] = node
            rows.append(row)
    return rows


def seed_rows(
    leaf: Leaf,
    chunk_word_count: int = DEFAULT_CHUNK_WORD_COUNT,
    server_ctx_size: int | None = None,
) -> list[Row]:
    """The seed rows of any leaf; a knowledge leaf's documents are read and chunked here.

    Raises:
        UsageError: the leaf has no seed examples, or a knowledge leaf no documents.
        FileError: a knowledge document cannot be read.
    """
    if leaf.kind != "knowledge":
        return skill_seed_rows(leaf)
    if not leaf.documents:
        raise UsageError(f"{leaf.path}: the knowledge leaf names no documents")
    paths = [doc.path for doc in leaf.documents]
    return knowledge_seed_rows(leaf, chunk_documents(paths, chunk_word_count, server_ctx_size))


def _test_record(user: str, assistant: str, system_prompt: str | None) -> Row:
    record: Row = {}
    if system_prompt:
        record["system"] = system_prompt
    record["user"] = user.strip()
    record["assistant"] = assistant.strip()
    return record


def seed_test_set(rows: Iterable[Row], system_prompt: str | None = None) -> list[Row]:
    """The test set built from seed rows: the seed examples as ``system``/``user``/``assistant``.

    Knowledge rows give one record per ICL pair (question, then the example's context); skill
    rows one per example (question, then the context for a grounded skill). Identical records
    (knowledge rows repeat their examples once per chunk) are written once.
    """
    seen: set[tuple[str, str]] = set()
    records: list[Row] = []

    def add(user: str, assistant: str) -> None:
        key = (user.strip(), assistant.strip())
        if key in seen or not key[0] or not key[1]:
            return
        seen.add(key)
        records.append(_test_record(user, assistant, system_prompt))

    for row in rows:
        if "icl_query_1" in row:
            for index in range(1, ICL_PAIRS + 1):
                query = _text(row.get(f"icl_query_{index}"))
                context = _text(row.get("icl_document"))
                add(f"{query}\n{context}", _text(row.get(f"icl_response_{index}")))
            continue
        user = _text(row.get("seed_question"))
        if row.get("leaf_node_type") == "grounded_skill" and row.get("seed_context"):
            user = f"{user}\n{_text(row['seed_context'])}"
        add(user, _text(row.get("seed_response")))
    return records


def seed_test_texts(rows: Iterable[Row]) -> list[str]:
    """The test set's question and answer texts, without any context or document: what
    training rows are decontaminated against (each text once)."""
    texts: dict[str, None] = {}
    for row in rows:
        if "icl_query_1" in row:
            for index in range(1, ICL_PAIRS + 1):
                for key in (f"icl_query_{index}", f"icl_response_{index}"):
                    texts[_text(row.get(key)).strip()] = None
            continue
        for key in ("seed_question", "seed_response"):
            texts[_text(row.get(key)).strip()] = None
    return [t for t in texts if t]
