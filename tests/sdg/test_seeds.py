"""Seed rows per leaf and the test set, on the bundled example taxonomy and hand-made leaves."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from instructlab.errors import UsageError
from instructlab.sdg import seeds
from instructlab.taxonomy.leaf import Document, Leaf

DATA = Path(str(resources.files("instructlab") / "data"))


def example_leaves() -> dict[str, Leaf]:
    """The bundled example taxonomy as leaves, its knowledge leaf pointing at the bundled doc."""
    root = DATA / "example_taxonomy"
    leaves: dict[str, Leaf] = {}
    for qna in sorted(root.rglob("qna.yaml")):
        rel = qna.relative_to(root).as_posix()
        content = yaml.safe_load(qna.read_text(encoding="utf-8"))
        documents: tuple[Document, ...] = ()
        if rel.startswith("knowledge/"):
            kind = "knowledge"
            documents = tuple(
                Document("example", "0" * 40, name, DATA / "example_docs" / name)
                for name in content["document"]["patterns"]
            )
        elif any("context" in e for e in content["seed_examples"]):
            kind = "grounded_skill"
        else:
            kind = "freeform_skill"
        leaves[rel] = Leaf(rel, kind, content["version"], content, documents)  # type: ignore[arg-type]
    return leaves


def _by_kind(kind: str) -> Leaf:
    return next(leaf for leaf in example_leaves().values() if leaf.kind == kind)


def test_leaf_node_path_joins_the_folders() -> None:
    leaf = Leaf("knowledge/science/ecology/pollinators/qna.yaml", "knowledge", 3, {})
    assert seeds.leaf_node_path(leaf) == "knowledge_science_ecology_pollinators"
    assert seeds.taxonomy_path(leaf) == "knowledge->science->ecology->pollinators"


def test_freeform_rows_carry_instructlab_columns() -> None:
    leaf = _by_kind("freeform_skill")
    rows = seeds.seed_rows(leaf)
    examples = leaf.content["seed_examples"]
    assert len(rows) == len(examples)
    for row, example in zip(rows, examples, strict=True):
        assert set(row) == set(seeds.FREEFORM_COLUMNS)
        assert row["seed_question"] == example["question"].strip()
        assert row["seed_response"] == example["answer"].strip()
        assert row["task_description"] == leaf.content["task_description"].strip()
        assert row["leaf_node_type"] == "freeform_skill"
        assert row["leaf_node_path"] == seeds.leaf_node_path(leaf)


def test_grounded_rows_add_the_context() -> None:
    leaf = _by_kind("grounded_skill")
    rows = seeds.seed_rows(leaf)
    assert rows and all(set(r) == set(seeds.GROUNDED_COLUMNS) for r in rows)
    assert rows[0]["seed_context"] == leaf.content["seed_examples"][0]["context"].strip()
    assert {r["leaf_node_type"] for r in rows} == {"grounded_skill"}


def test_a_foundational_leaf_mixes_kinds_per_example() -> None:
    content = {
        "version": 3,
        "task_description": "t",
        "seed_examples": [
            {"question": "q1", "answer": "a1"},
            {"question": "q2", "answer": "a2", "context": "c2"},
        ],
    }
    rows = seeds.seed_rows(Leaf("foundational_skills/x/qna.yaml", "foundational_skill", 3, content))
    assert [r["leaf_node_type"] for r in rows] == ["freeform_skill", "grounded_skill"]


def test_knowledge_rows_cross_chunks_with_seed_examples() -> None:
    leaf = _by_kind("knowledge")
    examples = leaf.content["seed_examples"]
    rows = seeds.knowledge_seed_rows(leaf, ["chunk one", "chunk two"])
    assert len(rows) == 2 * len(examples)
    assert [r["document"] for r in rows[: len(examples)]] == ["chunk one"] * len(examples)
    first = rows[0]
    assert set(seeds.KNOWLEDGE_COLUMNS) <= set(first)
    pairs = examples[0]["questions_and_answers"]
    for n in (1, 2, 3):
        assert first[f"icl_query_{n}"] == pairs[n - 1]["question"].strip()
        assert first[f"icl_response_{n}"] == pairs[n - 1]["answer"].strip()
    assert first["icl_document"] == examples[0]["context"].strip()
    assert first["domain"] == "ecology"
    assert first["document_outline"] == leaf.content["document_outline"].strip()
    assert first["leaf_node_type"] == "knowledge"


def test_knowledge_rows_read_and_chunk_the_documents() -> None:
    leaf = _by_kind("knowledge")
    whole = seeds.seed_rows(leaf)
    small = seeds.seed_rows(leaf, chunk_word_count=120)
    examples = len(leaf.content["seed_examples"])
    assert len(whole) == examples  # the example document fits one default chunk
    assert len(small) > len(whole) and len(small) % examples == 0
    words = " ".join((DATA / "example_docs" / "pollinators.md").read_text().split())
    assert whole[0]["document"].split() == words.split()


def test_a_knowledge_leaf_without_documents_is_an_error() -> None:
    leaf = Leaf("knowledge/a/qna.yaml", "knowledge", 3, {"seed_examples": [{"context": "c"}]})
    with pytest.raises(UsageError, match=r"knowledge/a/qna.yaml: .*no documents"):
        seeds.seed_rows(leaf)
    with pytest.raises(UsageError, match="no document text"):
        seeds.knowledge_seed_rows(leaf, [])


def test_a_leaf_without_seed_examples_is_an_error() -> None:
    with pytest.raises(UsageError, match="no seed_examples"):
        seeds.seed_rows(Leaf("compositional_skills/a/qna.yaml", "freeform_skill", 3, {}))


def test_test_set_from_every_kind_of_leaf() -> None:
    leaves = example_leaves().values()
    rows = [row for leaf in leaves for row in seeds.seed_rows(leaf)]
    records = seeds.seed_test_set(rows, "You are a tester.")
    knowledge = _by_kind("knowledge").content["seed_examples"]
    skills = [
        e for leaf in leaves if leaf.kind != "knowledge" for e in leaf.content["seed_examples"]
    ]
    assert len(records) == 3 * len(knowledge) + len(skills)
    assert all(set(r) == {"system", "user", "assistant"} for r in records)
    assert all(r["system"] == "You are a tester." for r in records)
    pair = knowledge[0]["questions_and_answers"][0]
    expected_user = f"{pair['question'].strip()}\n{knowledge[0]['context'].strip()}"
    assert {"user": expected_user, "assistant": pair["answer"].strip()} in [
        {"user": r["user"], "assistant": r["assistant"]} for r in records
    ]
    grounded = _by_kind("grounded_skill").content["seed_examples"][0]
    assert any(r["user"].endswith(grounded["context"].strip()) for r in records)


def test_test_set_without_a_system_prompt_and_repeats() -> None:
    leaf = _by_kind("knowledge")
    rows = seeds.knowledge_seed_rows(leaf, ["a", "b", "c"])
    records = seeds.seed_test_set(rows)
    assert len(records) == 3 * len(leaf.content["seed_examples"])
    assert all("system" not in r for r in records)
