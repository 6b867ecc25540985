"""Knowledge leaves' training records: the phase 0.7 and phase 1.0 sets and auxiliary samples.

InstructLab trains knowledge in two phases: phase 0.7 (pre-training style: each Q&A with its
document inline, ``unmask`` true) and phase 1.0 (each question among distractor documents, RAFT
style, plus the phase 0.7 records again). Auxiliary samples rewrite a raw document into each
auxiliary document the pipeline generated. Every random choice draws from a generator seeded
with :data:`SEED`, and ids come from content, so the same rows always give the same records.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from instructlab.sdg.records import question_and_response, record_id

__all__ = [
    "BASE_DOCUMENT",
    "RAFT_DOCUMENTS",
    "RAFT_P",
    "SEED",
    "auxiliary_records",
    "knowledge_phase07",
    "knowledge_phase10",
]

#: Chance that a phase 1.0 sample's own document is among its context documents (RAFT).
RAFT_P = 0.4
#: Documents shown in a phase 1.0 sample's context.
RAFT_DOCUMENTS = 4
#: Seed of every random choice made while mixing.
SEED = 42
#: The pipeline's knowledge rows that carry the original document (not an auxiliary rewrite).
BASE_DOCUMENT = "base_document"

Row = dict[str, Any]


def _knowledge_qa(rows: Sequence[Row], keep_context_separate: bool) -> list[Row]:
    records: list[Row] = []
    for row in rows:
        document = str(row.get("document") or "").strip()
        question, response = question_and_response(row)
        if not document or not question or not response:
            continue
        metadata: dict[str, Any] = {
            "sdg_document": document,
            "domain": row.get("domain", ""),
            "dataset": "document_knowledge_qa",
        }
        if "raw_document" in row and "dataset_type" in row:
            metadata["raw_document"] = row["raw_document"]
            metadata["dataset_type"] = row["dataset_type"]
        user = question if keep_context_separate else f"{document}\n\n{question}"
        record: Row = {
            "id": record_id("knowledge", keep_context_separate, document, question, response),
            "messages": [
                {"role": "user", "content": user},
                {"role": "assistant", "content": response},
            ],
            "metadata": metadata,
            "unmask": False,
        }
        if keep_context_separate:
            record["context"] = document
        records.append(record)
    return records


def _with_distractors(records: list[Row], rng: random.Random) -> list[Row]:
    """RAFT: each question shown among other chunks; its own chunk is there with chance RAFT_P."""
    documents = list(dict.fromkeys(r["context"] for r in records))
    result: list[Row] = []
    for record in records:
        own = record["context"]
        others = [d for d in documents if d != own]
        if not others:
            chosen = [own]
        elif rng.random() < RAFT_P:
            chosen = [*rng.sample(others, min(len(others), RAFT_DOCUMENTS - 1)), own]
        else:
            chosen = rng.sample(others, min(len(others), RAFT_DOCUMENTS))
        rng.shuffle(chosen)
        context = "\n".join(f"Document:\n{doc}\n\n" for doc in chosen)
        messages = [dict(m) for m in record["messages"]]
        messages[0]["content"] = f"{context}\n\n{messages[0]['content']}"
        metadata = {**record["metadata"], "dataset": f"document_knowledge_qa_raft_p{RAFT_P}"}
        result.append(
            {
                "id": record_id("raft", record["id"]),
                "messages": messages,
                "metadata": metadata,
                "unmask": False,
            }
        )
    return result


def auxiliary_records(
    rows: Sequence[Row],
    instructions: Mapping[str, Sequence[str]] | None,
    rng: random.Random | None = None,
) -> list[Row]:
    """Auxiliary samples: rewrite the raw document into each auxiliary document (once each).

    Rows come from a pipeline that flattened auxiliary generations into ``dataset_type`` /
    ``document`` beside the ``raw_document``; ``datamixing.auxiliary_instructions`` of the
    pipeline gives, per ``dataset_type``, the instructions to draw the user turn from.
    """
    if not instructions:
        return []
    rng = rng or random.Random(SEED)
    seen: set[str] = set()
    records: list[Row] = []
    for row in rows:
        kind = row.get("dataset_type")
        document = str(row.get("document") or "").strip()
        raw = str(row.get("raw_document") or "").strip()
        if not kind or kind == BASE_DOCUMENT or not document or not raw or document in seen:
            continue
        choices = instructions.get(str(kind))
        if not choices:
            continue
        seen.add(document)
        instruction = rng.choice(list(choices))
        messages = [
            {"role": "user", "content": f"{raw}\n\n{instruction}"},
            {"role": "assistant", "content": document},
        ]
        metadata = {
            "dataset_type": kind,
            "raw_document": raw,
            "dataset": f"document_{kind}",
            "domain": row.get("domain", ""),
        }
        records.append(
            {
                "id": record_id("aux", messages),
                "messages": messages,
                "metadata": metadata,
                "unmask": False,
            }
        )
    return records


def _encoded(records: Iterable[Row]) -> list[Row]:
    return [
        {**r, "metadata": json.dumps(r["metadata"], ensure_ascii=False)}
        if not isinstance(r["metadata"], str)
        else r
        for r in records
    ]


def knowledge_phase07(
    rows: Sequence[Row], auxiliary_instructions: Mapping[str, Sequence[str]] | None = None
) -> list[Row]:
    """Phase 0.7 (knowledge pre-training): Q&A with the document inline, ``unmask`` true."""
    qa = _knowledge_qa(rows, keep_context_separate=False)
    aux = auxiliary_records(rows, auxiliary_instructions, random.Random(SEED))
    return _encoded({**r, "unmask": True} for r in [*qa, *aux])


def knowledge_phase10(
    rows: Sequence[Row], auxiliary_instructions: Mapping[str, Sequence[str]] | None = None
) -> list[Row]:
    """Phase 1.0: Q&A among distractor documents, the phase 0.7 Q&A again, auxiliary samples."""
    rng = random.Random(SEED)
    raft = _with_distractors(_knowledge_qa(rows, keep_context_separate=True), rng)
    pretraining = [{**r, "unmask": True} for r in _knowledge_qa(rows, keep_context_separate=False)]
    aux = auxiliary_records(rows, auxiliary_instructions, random.Random(SEED))
    return _encoded([*raft, *pretraining, *aux])
