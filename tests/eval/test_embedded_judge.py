"""The embedded SmolLM2-135M as the judge, served here by our llama.cpp server and held to a JSON
schema: even a 135M model gives a parseable grade for every answer."""

from __future__ import annotations

import json
from pathlib import Path

from instructlab.config import Config
from instructlab.core import Model
from instructlab.eval.skills_report import EMBEDDED_NOTE, render_dk_bench


def test_the_embedded_model_judges_with_constrained_output(tmp_path: Path) -> None:
    rows = [
        {
            "user_input": "What colour is a clear daytime sky?",
            "reference": "Blue.",
            "response": "The sky is blue on a clear day.",
        },
        {
            "user_input": "How many legs does a spider have?",
            "reference": "Eight.",
            "response": "Spiders have six legs.",
        },
    ]
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = Model(configuration=Config()).evaluate_dk_bench(
        input_questions=questions, output_dir=tmp_path / "out", max_tokens=64
    )
    assert result.embedded_judge
    assert result.errors == 0, result.to_dict()
    assert all(s is not None and 1 <= s <= 5 for s in result.scores)
    judged = [json.loads(x) for x in result.files["jsonl"].read_text().splitlines()]
    assert len(judged) == 2
    assert EMBEDDED_NOTE in render_dk_bench(result)
