"""A run's mixing: InstructLab's layout, default recipes, cleaning and what it reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from instructlab.fileio import read_jsonl, write_jsonl
from instructlab.sdg import mixclean, runmix
from instructlab.sdg.recipes import Recipe
from instructlab.sdg.records import skill_record

from .conftest import knowledge_rows

SYSTEM = "You are a careful assistant."
Row = dict[str, Any]


def test_run_mixer_writes_instructlab_layout(tmp_path: Path) -> None:
    mixer = runmix.RunMixer(tmp_path, "2025-01-01T00_00_00", SYSTEM, use_default_recipes=False)
    assert mixer.add_knowledge("knowledge_bees", knowledge_rows(4)) == 4
    skills = [{"question": f"Q{i}?", "response": f"A{i}.", "leaf_node_path": "s"} for i in range(5)]
    skills.append({"question": "Empty answer?", "response": ""})
    assert mixer.add_skill("compositional_skills_s", skills) == 5
    mcq = {"mmlubench_question": "Q\nA) a\nB) b\nC) c\nD) d", "mmlubench_answer": "B) b"}
    assert mixer.add_mmlu_branch("knowledge_bees", [mcq, {**mcq, "mmlubench_answer": "?"}]) == 1
    mixer.write_test_set([{"system": SYSTEM, "user": "u", "assistant": "a"}])
    out = mixer.finish()

    nodes = tmp_path / "node_datasets_2025-01-01T00_00_00"
    assert sorted(p.name for p in nodes.iterdir()) == [
        "compositional_skills_s.jsonl",
        "knowledge_bees_p07.jsonl",
        "knowledge_bees_p10.jsonl",
        "knowledge_bees_task.yaml",
        "mmlubench_knowledge_bees.jsonl",
    ]
    task = yaml.safe_load((nodes / "knowledge_bees_task.yaml").read_text())
    assert task["task"] == "knowledge_bees" and task["output_type"] == "multiple_choice"
    assert task["dataset_kwargs"]["data_files"]["test"].endswith("mmlubench_knowledge_bees.jsonl")

    knowledge_recipe = yaml.safe_load(out.knowledge_recipe.read_text())
    assert knowledge_recipe == {
        "datasets": [
            {
                "path": "node_datasets_2025-01-01T00_00_00/knowledge_bees_p07.jsonl",
                "sampling_size": 1.0,
            }
        ],
        "metadata": {"sys_prompt": SYSTEM},
    }
    skills_recipe = yaml.safe_load(out.skills_recipe.read_text())
    assert [d["sampling_size"] for d in skills_recipe["datasets"]] == [1.0, runmix.NUM_SYNTH_SKILLS]

    assert out.knowledge_mix == tmp_path / "knowledge_train_msgs_2025-01-01T00_00_00.jsonl"
    assert out.skills_mix == tmp_path / "skills_train_msgs_2025-01-01T00_00_00.jsonl"
    knowledge_mix = read_jsonl(out.knowledge_mix)
    skills_mix = read_jsonl(out.skills_mix)
    assert len(knowledge_mix) == 4
    assert len(skills_mix) == 8 + runmix.NUM_SYNTH_SKILLS  # p10 (4 raft + 4 p07) + 30 skills
    for record in knowledge_mix + skills_mix:
        assert set(record) == {"id", "messages", "metadata", "unmask"}
        assert record["messages"][0] == {"role": "system", "content": SYSTEM}
    assert out.rows == len(knowledge_mix) + len(skills_mix)
    # Upsampled skills keep every generated row at least once.
    contents = {r["messages"][1]["content"] for r in skills_mix}
    assert {f"Q{i}?" for i in range(5)} <= contents

    legacy = read_jsonl(out.legacy_train)
    assert len(legacy) == 4 + 5
    assert legacy[0] == {
        "system": SYSTEM,
        "user": "What does chunk 0 say?\nChunk 0 says bees dance.",
        "assistant": "Chunk 0 says bees dance.",
    }
    messages = read_jsonl(out.legacy_messages)
    assert messages[0]["messages"][0]["role"] == "user"
    assert read_jsonl(tmp_path / "test_2025-01-01T00_00_00.jsonl")[0]["user"] == "u"


def test_run_mixer_starts_from_the_system_default_recipes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share"
    recipes = share / "instructlab" / "sdg" / "default_data_recipes"
    recipes.mkdir(parents=True)
    precomputed = [
        {"id": str(i), "messages": [{"role": "user", "content": f"u{i}"},
                                    {"role": "assistant", "content": "a"}],
         "metadata": "{}", "unmask": False}
        for i in range(200)
    ]  # fmt: skip
    write_jsonl(recipes / "precomputed.jsonl", precomputed)
    (recipes / "skills.yaml").write_text(
        yaml.safe_dump({"datasets": [{"path": "precomputed.jsonl", "sampling_size": 1.0}]})
    )
    monkeypatch.setenv("XDG_DATA_DIRS", str(share))
    mixer = runmix.RunMixer(tmp_path / "out", "x", SYSTEM)
    mixer.add_knowledge("k", knowledge_rows(1))
    out = mixer.finish()
    datasets = yaml.safe_load(out.skills_recipe.read_text())["datasets"]
    # The default data set is kept with an absolute path; the knowledge is upsampled to 3%.
    assert datasets[0]["path"] == str((recipes / "precomputed.jsonl").resolve())
    assert datasets[1]["sampling_size"] == int(200 * runmix.MIN_UPSAMPLE_THRESHOLD)
    assert len(read_jsonl(out.skills_mix)) == 200 + 6
    assert Recipe.load(out.skills_recipe).total_rows() == 206


# --- cleaning the mix ---------------------------------------------------------------------

SEED_QUESTION = (
    "Which flower colours do honey bees visit most often during the warm summer months in "
    "the valley?"
)
SEED_ANSWER = "They visit blue and purple flowers most often, because those colours stand out."
SEED_DOCUMENT = (
    "Honey bees in the valley visit blue and purple flowers most often during the warm summer "
    "months because those colours stand out to their compound eyes and signal rich nectar."
)
SKILL_SEED_ANSWER = (
    "Soft rain on the roof, a steady tin drum at night, the old house sleeps sound and dreams."
)


def _planted_mixer(
    tmp_path: Path, dedup: bool = True, decontaminate: bool = True
) -> tuple[runmix.RunMixer, dict[str, Row]]:
    """A run with planted duplicates and test-set leaks (and one row that only shares the
    document with the test set)."""
    kept = {
        "document": SEED_DOCUMENT,
        "question": "What does the passage say about the colours bees prefer?",
        # Quotes the document (a 13-word run) but neither the seed question nor its answer.
        "response": "Honey bees in the valley visit blue and purple flowers most often during "
        "the warm summer months.",
    }
    leak = {"document": SEED_DOCUMENT, "question": SEED_QUESTION, "response": "Blue and purple."}
    skill = {"question": "How do I boil an egg?", "response": "Simmer it for nine minutes."}
    skill_leak = {"question": "Compose a verse [short] on rain.", "response": SKILL_SEED_ANSWER}
    other = {"question": "How do I fry an egg?", "response": "Use a hot pan and a little oil."}
    mixer = runmix.RunMixer(
        tmp_path, "s", SYSTEM, use_default_recipes=False, dedup=dedup, decontaminate=decontaminate
    )
    mixer.add_knowledge("knowledge_bees", [kept, leak, dict(kept)])
    mixer.add_skill("skills_a", [skill, skill_leak])
    mixer.add_skill("skills_b", [dict(skill), other])
    test = [
        {"system": SYSTEM, "user": f"{SEED_QUESTION}\n{SEED_DOCUMENT}", "assistant": SEED_ANSWER},
        {"system": SYSTEM, "user": "Write a poem about rain.", "assistant": SKILL_SEED_ANSWER},
    ]
    mixer.write_test_set(test, [SEED_QUESTION, SEED_ANSWER, SKILL_SEED_ANSWER])
    return mixer, {"kept": kept, "leak": leak, "skill": skill, "skill_leak": skill_leak}


def _users(path: Path | None) -> list[str]:
    assert path is not None
    return [m["content"] for r in read_jsonl(path) for m in r["messages"] if m["role"] == "user"]


def test_mixing_removes_duplicates_and_test_leaks_and_says_why(tmp_path: Path) -> None:
    mixer, rows = _planted_mixer(tmp_path)
    out = mixer.finish()
    dup, leak = mixclean.DUPLICATE, mixclean.TEST_OVERLAP

    knowledge = out.cleaning["knowledge"]
    assert knowledge.rows_in == 3
    assert knowledge.removed == {dup: 1, leak: 1}
    # The skills mix: knowledge phase 1.0 (3 RAFT + 3 replayed) and two skill leaves (2 + 2).
    skills = out.cleaning["skills"]
    assert skills.rows_in == 10
    assert skills.removed == {dup: 3, leak: 3}
    assert skill_record(rows["skill_leak"], SYSTEM)["id"] in skills.examples[leak]  # type: ignore[index]
    assert skill_record(rows["skill"], SYSTEM)["id"] in skills.examples[dup]  # type: ignore[index]
    legacy = out.cleaning["legacy"]
    assert legacy.rows_in == 7 and legacy.removed == {dup: 2, leak: 2}
    assert out.removed == {dup: 6, leak: 6}

    knowledge_users = _users(out.knowledge_mix)
    skills_users = _users(out.skills_mix)
    # The leaked question is gone everywhere; the row sharing only the document stays.
    for users in (knowledge_users, skills_users):
        assert not any(SEED_QUESTION in u for u in users)
    assert len(knowledge_users) == 1 and rows["kept"]["question"] in knowledge_users[0]
    assert sum(rows["kept"]["question"] in u for u in skills_users) == 2  # RAFT + replayed
    assert not any(r["messages"][-1]["content"] == SKILL_SEED_ANSWER
                   for r in read_jsonl(out.skills_mix))  # type: ignore[arg-type]  # fmt: skip
    # Cleaning happens before sampling: the upsampled skill leaves still give 30 rows each.
    assert len(skills_users) == 2 + 2 * runmix.NUM_SYNTH_SKILLS
    assert skills_users.count(rows["skill"]["question"]) == runmix.NUM_SYNTH_SKILLS
    assert len(read_jsonl(out.legacy_train)) == 3 == len(read_jsonl(out.legacy_messages))
    # The node data sets keep everything that was generated.
    assert len(read_jsonl(tmp_path / "node_datasets_s" / "knowledge_bees_p07.jsonl")) == 3


def test_mix_cleaning_can_be_turned_off(tmp_path: Path) -> None:
    mixer, _ = _planted_mixer(tmp_path, dedup=False, decontaminate=False)
    out = mixer.finish()
    assert out.cleaning == {} and not out.removed
    assert len(_users(out.knowledge_mix)) == 3
    assert len(read_jsonl(out.legacy_train)) == 7


def test_mix_without_decontamination_still_removes_duplicates(tmp_path: Path) -> None:
    mixer, _ = _planted_mixer(tmp_path, decontaminate=False)
    out = mixer.finish()
    assert out.removed == {mixclean.DUPLICATE: 6}


def test_test_set_without_texts_compares_whole_turns(tmp_path: Path) -> None:
    """Without the question/answer texts, the test records' turns are the references: the
    leaked skill answer still goes."""
    mixer = runmix.RunMixer(tmp_path, "s", SYSTEM, use_default_recipes=False)
    mixer.add_skill("skills_a", [{"question": "Verse?", "response": SKILL_SEED_ANSWER}])
    mixer.write_test_set([{"user": "Write a poem about rain.", "assistant": SKILL_SEED_ANSWER}])
    out = mixer.finish()
    assert out.cleaning["skills"].removed == {mixclean.TEST_OVERLAP: 1}
    assert read_jsonl(out.skills_mix) == []  # type: ignore[arg-type]


def test_the_run_report_states_what_mixing_removed(tmp_path: Path) -> None:
    from instructlab.sdg.report import RunReport

    mixer, _ = _planted_mixer(tmp_path)
    report = RunReport(str(tmp_path))
    report.mixing = mixer.finish().cleaning
    report.write(tmp_path / "report.json")
    removed = json.loads((tmp_path / "report.json").read_text())["mix_removed"]
    assert removed["training_sets"]["skills"]["removed"] == {
        mixclean.DUPLICATE: 3,
        mixclean.TEST_OVERLAP: 3,
    }
    assert set(removed["reasons"]) == {mixclean.DUPLICATE, mixclean.TEST_OVERLAP}
    assert len(removed["training_sets"]["skills"]["examples"][mixclean.DUPLICATE]) == 3


def test_rows_are_compared_without_their_passages() -> None:
    """A grounded skill's question holds its context, a precomputed knowledge row its document:
    both are cut before comparing with the test set; known records use their own question."""
    context = "The old tin roof rings under the rain every night of the long wet season."
    row = {
        "id": "g",
        "messages": [
            {"role": "user", "content": f"{context}\n\nWhat sound does the roof make?"},
            {"role": "assistant", "content": "It rings."},
        ],
        "metadata": json.dumps({"context": context}),
    }
    cleaner = mixclean.MixCleaner(references=[context])
    assert cleaner.question_and_answer(row) == (" \n\nWhat sound does the roof make?", "It rings.")
    kept, cleaning = cleaner.clean([[row]])
    assert kept == [[row]] and not cleaning.removed
    known = mixclean.MixCleaner(references=[context], qa={"g": (context, "It rings.")})
    kept, cleaning = known.clean([[row]])
    assert kept == [[]] and cleaning.removed == {mixclean.TEST_OVERLAP: 1}
    assert cleaning.examples == {mixclean.TEST_OVERLAP: ["g"]}
