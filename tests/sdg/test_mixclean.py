"""Cleaning while mixing: duplicates and test-set leaks out, judged as `ilab data` judges them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.fileio import read_jsonl, write_jsonl
from instructlab.sdg import mixclean

DOCUMENT = (
    "Honey bees visit many kinds of flowers and carry pollen from one blossom to the next "
    "across the whole meadow every single day of the warm summer season."
)
QUESTION = (
    "Which small insects carry the yellow pollen between the many flowers of the green meadow "
    "each day?"
)


def _row(row_id: str, user: str, answer: str, metadata: dict[str, str]) -> dict[str, object]:
    return {
        "id": row_id,
        "messages": [
            {"role": "user", "content": user},
            {"role": "assistant", "content": answer},
        ],
        "metadata": json.dumps(metadata),
    }


def test_mixing_and_decontaminate_judge_a_row_with_a_passage_alike(tmp_path: Path) -> None:
    """The document a knowledge row carries (here in its metadata, as SDG writes it) is never
    compared with the test set, by mixing or by `ilab data decontaminate`: the row whose
    question is new stays, the one whose question is the test question goes, in both."""
    rows = [
        _row("new", f"{DOCUMENT}\n\nWhat do the bees do in the meadow?", "They carry pollen.",
             {"sdg_document": DOCUMENT}),
        _row("leak", f"{DOCUMENT}\n\n{QUESTION}", "Bees.", {"sdg_document": DOCUMENT}),
    ]  # fmt: skip
    references = [DOCUMENT + " " + QUESTION]
    kept, cleaning = mixclean.MixCleaner(dedup=False, references=references).clean([rows])
    assert [r["id"] for r in kept[0]] == ["new"]
    assert cleaning.removed == {mixclean.TEST_OVERLAP: 1}

    train, reference = tmp_path / "train.jsonl", tmp_path / "eval.jsonl"
    write_jsonl(train, rows)
    write_jsonl(reference, [{"question": references[0], "answer": "x"}])
    result = CliRunner().invoke(
        cli, ["data", "decontaminate", str(train), "--reference", str(reference)]
    )
    assert result.exit_code == 0, result.output
    kept_by_cli = read_jsonl(tmp_path / "train.decontaminate.jsonl")
    assert [r["id"] for r in kept_by_cli] == ["new"]


def test_exact_duplicates_across_data_sets_keep_the_first() -> None:
    a = _row("a", "Name a colour.", "Blue.", {})
    b = _row("b", "Name a  colour.", "Blue.", {})  # the same once normalised
    c = _row("c", "Name a fruit.", "Pear.", {})
    kept, cleaning = mixclean.MixCleaner().clean([[a], [b, c]])
    assert [[r["id"] for r in d] for d in kept] == [["a"], ["c"]]
    assert cleaning.removed == {mixclean.DUPLICATE: 1}
    assert cleaning.examples == {mixclean.DUPLICATE: ["b"]}
    assert mixclean.MixCleaner(dedup=False).active is False


def test_test_references_from_a_runs_test_file(tmp_path: Path) -> None:
    test_file = tmp_path / "test_x.jsonl"
    write_jsonl(
        test_file, [{"user": "Q one?", "assistant": "A one."}, {"user": "", "assistant": ""}]
    )
    assert mixclean.load_test_references(test_file) == ["Q one?", "A one."]
