"""MMLU-branch: the sets our SDG writes, scored for a trained model and its base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.errors import FileError, UsageError
from instructlab.eval.harness import PromptOptions
from instructlab.eval.mmlu_branch import base_model_of, evaluate_mmlu_branch, find_branch_sets
from instructlab.eval.report import branch_report, to_json
from instructlab.eval.synthetic import generate_questions
from instructlab.sdg.runmix import RunMixer

LEAVES = ("knowledge_science_bees", "knowledge_history_rome")


def write_branch_sets(output: Path, suffix: str = "run1", count: int = 4) -> Path:
    """What `ilab data generate` writes for two knowledge leaves (through our own mixer)."""
    mixer = RunMixer(output, suffix, "sys", use_default_recipes=False)
    for leaf in LEAVES:
        rows = []
        for q in generate_questions(leaf, count):
            options = "\n".join(f"{'ABCD'[i]}) {c}" for i, c in enumerate(q.choices))
            rows.append(
                {
                    "mmlubench_question": f"{q.question}\n{options}",
                    "mmlubench_answer": f"{'ABCD'[q.answer]}) {q.choices[q.answer]}",
                    "domain": leaf.split("_")[1],
                    "leaf_node_path": leaf,
                }
            )
        assert mixer.add_mmlu_branch(leaf, rows) == count
    return output / f"node_datasets_{suffix}"


def test_sets_are_found_in_a_run_folder_or_the_datasets_folder(tmp_path) -> None:
    folder = write_branch_sets(tmp_path / "datasets")
    found_folder, sets = find_branch_sets(tmp_path / "datasets")
    assert found_folder == folder
    assert [s.questions.name for s in sets] == sorted(LEAVES)
    assert len(sets[0].questions.test) == 4
    # The task's format scores the choice texts, as its yaml says.
    q = sets[0].questions.test[0]
    assert sets[0].format.doc_to_choice(q) == list(q.choices)


def test_a_moved_run_folder_still_finds_its_data(tmp_path) -> None:
    folder = write_branch_sets(tmp_path / "a")
    moved = tmp_path / "b"
    folder.rename(moved)
    _, sets = find_branch_sets(moved)
    assert len(sets) == 2


def test_a_folder_without_sets_is_one_clear_error(tmp_path) -> None:
    (tmp_path / "node_datasets_x").mkdir()
    with pytest.raises(FileError, match="holds no MMLU-branch sets"):
        find_branch_sets(tmp_path)
    with pytest.raises(FileError, match="no such folder"):
        find_branch_sets(tmp_path / "missing")


def test_the_checkpoint_records_its_base(tmp_path, tiny_model) -> None:
    checkpoint = tmp_path / "ckpt"
    checkpoint.mkdir()
    assert base_model_of(checkpoint) is None
    (checkpoint / "instructlab_checkpoint.json").write_text(
        json.dumps({"base_model": str(tiny_model)}), encoding="utf-8"
    )
    assert base_model_of(checkpoint) == str(tiny_model)


def test_trained_against_base_per_leaf(tmp_path, tiny_model, other_model) -> None:
    sets = write_branch_sets(tmp_path / "datasets")
    (other_model / "instructlab_checkpoint.json").write_text(
        json.dumps({"base_model": str(tiny_model)}), encoding="utf-8"
    )
    try:
        result = evaluate_mmlu_branch(other_model, sets, prompts=PromptOptions(few_shots=2))
    finally:
        (other_model / "instructlab_checkpoint.json").unlink()
    assert result.base_source == "checkpoint"
    assert result.base.model == str(tiny_model)
    assert result.model.backend == result.base.backend == "transformers (float32, cpu)"
    leaves = [c.task for c in (*result.improvements, *result.regressions, *result.no_change)]
    assert sorted(leaves) == sorted(LEAVES)
    for change in result.improvements:
        assert change.score > change.base_score
    text = branch_report(result)
    assert text.startswith("# KNOWLEDGE EVALUATION REPORT\n\n## BASE MODEL (SCORE)\n")
    assert "\n## MODEL (SCORE)\n" in text
    payload = json.loads(to_json(result))
    assert payload["base_model_source"] == "checkpoint"
    assert set(payload) >= {"improvements", "regressions", "no_changes", "overall_score"}


def test_without_a_base_the_error_names_the_option(tmp_path, tiny_model) -> None:
    sets = write_branch_sets(tmp_path / "datasets")
    with pytest.raises(UsageError) as caught:
        evaluate_mmlu_branch(tiny_model, sets)
    assert caught.value.param == "base_model"
