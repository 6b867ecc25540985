"""MMLU-branch data: multiple-choice rows in lm-evaluation-harness' shape."""

from __future__ import annotations

from instructlab.sdg import mmlu_branch


def test_mmlu_branch_rows_follow_lm_eval() -> None:
    good = {
        "mmlubench_question": "What do bees eat?\n\nA) Nectar\nB) Rocks\nC) Sand\nD) Glass",
        "mmlubench_answer": "A) Nectar",
        "domain": "ecology",
        "document": "doc",
    }
    three = {**good, "mmlubench_question": "Q?\nA) x\nB) y\nC) z"}
    bad_letter = {**good, "mmlubench_answer": "E) none"}
    no_paren = {**good, "mmlubench_answer": "Nectar"}
    later = {**good, "mmlubench_answer": "C) Sand"}
    rows = mmlu_branch.mmlu_branch_rows([good, three, bad_letter, no_paren, later])
    assert [r["answer"] for r in rows] == [0, 2]
    assert rows[0]["question"] == "What do bees eat?"
    assert rows[0]["choices"] == ["Nectar", "Rocks", "Sand", "Glass"]
    assert rows[0]["subject"] == "ecology"
    assert rows[0]["document"] == "doc"
