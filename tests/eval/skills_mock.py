"""A tiny MT-Bench in FastChat's layout, built in code, and a mock that answers as the model under
test and as a judge whose score is derived from the question id and turn it reads in the prompt.

Every question turn carries a marker ``[q:ID/t:TURN]``; the mock model answers ``(a:ID/t:TURN)``
for the last user turn it sees. The mock judge finds the markers in its prompt and rates
``expected_score(ID, TURN)`` only when they are the right ones in the right order (the question
and its own answer; for turn 2, both turns of one question, in order; for references, the
question's own); anything else gets a reply without a rating, so a swapped question, answer or
turn shows up as an error, never as a plausible score.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from instructlab.testing import Call, MockOpenAI, Rule

JUDGE_MARK = "You are a strict test judge."
_Q = re.compile(r"\[q:(\w+)/t:(\d)\]")
_A = re.compile(r"\(a:(\w+)/t:(\d)\)")
_R = re.compile(r"<r:(\w+)/t:(\d)>")

#: The tiny question set: id, category, turns.
QUESTIONS = [
    ("81", "writing", ["Write a haiku about rain.", "Now make it rhyme."]),
    ("82", "writing", ["Describe a cat.", "Now in one line."]),
    ("111", "math", ["What is 2 + 3?", "And times 4?"]),
    ("121", "coding", ["Reverse a list in Python.", "Now without slicing."]),
]


def expected_score(qid: str, turn: int) -> int:
    """What the mock judge rates turn ``turn`` of question ``qid``."""
    return (int(qid) + 3 * turn) % 9 + 1


def write_mt_bench_data(root: Path) -> Path:
    """FastChat's ``data`` folder with the tiny question set; returns ``root``."""
    bench = root / "mt_bench"
    (bench / "reference_answer").mkdir(parents=True, exist_ok=True)
    with (bench / "question.jsonl").open("w", encoding="utf-8") as out:
        for qid, category, turns in QUESTIONS:
            marked = [f"[q:{qid}/t:{i}] {t}" for i, t in enumerate(turns, 1)]
            out.write(json.dumps({"question_id": int(qid), "category": category, "turns": marked}))
            out.write("\n")
    with (bench / "reference_answer" / "gpt-4.jsonl").open("w", encoding="utf-8") as out:
        for qid, category, _ in QUESTIONS:
            if category in ("math", "coding"):
                turns = [f"<r:{qid}/t:1> ref one", f"<r:{qid}/t:2> ref two"]
                row = {"question_id": int(qid), "choices": [{"index": 0, "turns": turns}]}
                out.write(json.dumps(row) + "\n")
    prompts = [
        ("single-v1", "Q: {question}\nA: {answer}"),
        ("single-math-v1", "Q: {question}\nREF: {ref_answer_1}\nA: {answer}"),
        (
            "single-v1-multi-turn",
            "Q1: {question_1}\nA1: {answer_1}\nQ2: {question_2}\nA2: {answer_2}",
        ),
        (
            "single-math-v1-multi-turn",
            "Q1: {question_1}\nA1: {answer_1}\nQ2: {question_2}\nA2: {answer_2}\n"
            "REF1: {ref_answer_1}\nREF2: {ref_answer_2}",
        ),
    ]
    with (root / "judge_prompts.jsonl").open("w", encoding="utf-8") as out:
        for name, template in prompts:
            row = {
                "name": name,
                "type": "single",
                "system_prompt": JUDGE_MARK,
                "prompt_template": template,
                "output_format": "[[rating]]",
            }
            out.write(json.dumps(row) + "\n")
    return root


def _markers(text: str) -> list[tuple[str, str, str]]:
    found = []
    for kind, pattern in (("q", _Q), ("a", _A), ("r", _R)):
        found += [(m.start(), kind, m.group(1), m.group(2)) for m in pattern.finditer(text)]
    return [(k, q, t) for _, k, q, t in sorted(found)]


def judge_reply(call: Call, noise: bool = False) -> str:
    """The mock judge: a rating only for a prompt holding the right markers in order."""
    text = call.last_user
    marks = _markers(text)
    qids = {q for _, q, _ in marks}
    if len(qids) != 1:
        return "I cannot tell which question this is."
    qid = qids.pop()
    kinds = [(k, t) for k, _, t in marks]
    refs = [(k, t) for k, t in kinds if k == "r"]
    plain = [(k, t) for k, t in kinds if k != "r"]
    if plain == [("q", "1"), ("a", "1")]:
        turn = 1
    elif plain == [("q", "1"), ("a", "1"), ("q", "2"), ("a", "2")]:
        turn = 2
    else:
        return f"The markers are out of order: {kinds}"
    wants_ref = any(c in ("111", "121") for c in (qid,))
    if wants_ref and refs[:1] != [("r", "1")]:
        return "The reference is missing."
    score = expected_score(qid, turn)
    if noise and call.seed is not None:
        score = max(1, min(10, score + (call.seed % 3) - 1))
    return f"Fine work. Rating: [[{score}]]"


def model_reply(call: Call) -> str:
    """The mock model under test: answers the marker of the last user turn."""
    found = _Q.search(call.last_user)
    if found is None:
        return "an answer without a marker"
    return f"(a:{found.group(1)}/t:{found.group(2)}) here is my answer"


def is_judge(call: Call) -> bool:
    """Whether the request is the judge's."""
    return (
        JUDGE_MARK in call.prompt
        or "You grade answers" in call.prompt
        or ("You check answers" in call.prompt)
    )


def mock_rules(noise: bool = False) -> list[Rule]:
    """The judge and the model, for one mock server."""
    return [
        Rule(is_judge, lambda call: judge_reply(call, noise)),
        Rule("", model_reply),
    ]


def sdk_options(mock: MockOpenAI, out: Path, **extra: Any) -> dict[str, Any]:
    """SDK arguments that send both the model's and the judge's requests to the mock."""
    return {
        "endpoint_url": mock.base_url,
        "judge_endpoint_url": mock.base_url,
        "judge_model": "mock-judge",
        "output_dir": out,
        **extra,
    }
