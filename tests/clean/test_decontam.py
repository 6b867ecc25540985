"""Decontamination through the Python face, including the reference loaders."""

from __future__ import annotations

import pyarrow as pa

from instructlab.clean import decontaminate, load_references

QUESTION = (
    "Which insects carry pollen between the flowers of apple trees in the early spring "
    "before most other pollinators wake up?"
)


def test_shared_ngrams_drop_rows_and_name_the_reference() -> None:
    rows = [QUESTION.upper(), "Bees carry pollen.", ""]
    result = decontaminate([pa.array(rows)], ["unrelated", QUESTION])
    assert result.keep.tolist() == [False, True, True]
    assert result.matched.tolist() == [1, -1, -1]
    assert result.overlap[0] == 1.0


def test_references_from_qna_yaml_and_folders(tmp_path) -> None:
    leaf = tmp_path / "knowledge" / "leaf"
    leaf.mkdir(parents=True)
    (leaf / "qna.yaml").write_text(
        "version: 3\nseed_examples:\n"
        "  - context: a passage\n    questions_and_answers:\n"
        f"      - question: {QUESTION}\n        answer: Bees.\n"
        "  - question: Plain question?\n    answer: Plain answer.\n",
        encoding="utf-8",
    )
    texts = load_references(tmp_path)
    assert QUESTION in texts and "Plain answer." in texts and "a passage" not in texts
    assert load_references(leaf / "qna.yaml") == texts
