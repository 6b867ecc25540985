"""Knowledge leaves' training records: phase 0.7, phase 1.0 (RAFT) and auxiliary samples."""

from __future__ import annotations

import json

from instructlab.sdg import knowledge

from .conftest import knowledge_rows, records_are_valid


def test_phase07_puts_the_document_in_front_and_unmasks() -> None:
    records = knowledge.knowledge_phase07(knowledge_rows())
    records_are_valid(records)
    assert len(records) == 3
    first = records[0]
    assert first["unmask"] is True
    assert first["messages"] == [
        {"role": "user", "content": "Chunk 0 says bees dance.\n\nWhat does chunk 0 say?"},
        {"role": "assistant", "content": "Chunk 0 says bees dance."},
    ]
    meta = json.loads(first["metadata"])
    assert meta == {
        "sdg_document": "Chunk 0 says bees dance.",
        "domain": "ecology",
        "dataset": "document_knowledge_qa",
    }


def test_phase10_adds_distractors_then_the_phase07_samples() -> None:
    rows = knowledge_rows(6)
    records = knowledge.knowledge_phase10(rows)
    records_are_valid(records)
    raft, pretraining = records[:6], records[6:]
    assert len(pretraining) == 6 and all(r["unmask"] for r in pretraining)
    for record, row in zip(raft, rows, strict=True):
        user = record["messages"][0]["content"]
        assert user.endswith(f"\n\n{row['question']}")
        assert user.count("Document:\n") == knowledge.RAFT_DOCUMENTS
        assert json.loads(record["metadata"])["dataset"] == "document_knowledge_qa_raft_p0.4"
        assert record["unmask"] is False
    # With p = 0.4, some questions see their own chunk and some only distractors.
    own = [
        row["document"] in r["messages"][0]["content"] for r, row in zip(raft, rows, strict=True)
    ]
    assert any(own) and not all(own)
    # The same input always gives the same output.
    assert knowledge.knowledge_phase10(rows) == records


def test_phase10_with_one_document_keeps_it() -> None:
    records = knowledge.knowledge_phase10(knowledge_rows(1))
    assert "Chunk 0 says bees dance." in records[0]["messages"][0]["content"]


def test_auxiliary_samples_rewrite_the_raw_document_once() -> None:
    base = {"raw_document": "Raw text.", "domain": "d", "question": "Q?", "response": "A."}
    rows = [
        {**base, "document": "Raw text.", "dataset_type": "base_document"},
        {**base, "document": "A summary.", "dataset_type": "summary_detailed"},
        {**base, "document": "A summary.", "dataset_type": "summary_detailed", "question": "Q2?"},
        {**base, "document": "Facts.", "dataset_type": "unknown_kind"},
    ]
    instructions = {"summary_detailed": ["Summarise it."]}
    aux = knowledge.auxiliary_records(rows, instructions)
    assert len(aux) == 1
    assert aux[0]["messages"] == [
        {"role": "user", "content": "Raw text.\n\nSummarise it."},
        {"role": "assistant", "content": "A summary."},
    ]
    assert aux[0]["metadata"]["dataset"] == "document_summary_detailed"
    p07 = knowledge.knowledge_phase07(rows, instructions)
    assert len(p07) == 5 and all(r["unmask"] for r in p07)
    assert json.loads(p07[1]["metadata"])["dataset_type"] == "summary_detailed"
    assert knowledge.auxiliary_records(rows, None) == []


def test_rows_without_a_question_or_answer_are_left_out() -> None:
    rows = [*knowledge_rows(1), {"document": "x", "question": "", "response": "y"}]
    assert len(knowledge.knowledge_phase07(rows)) == 1
