from __future__ import annotations

import subprocess
from pathlib import Path

from instructlab import _native
from instructlab.taxonomy import (
    EXAMPLE_DOCS_COMMIT,
    create_example_docs_repo,
    example_taxonomy_files,
    write_example_taxonomy,
)


def test_docs_repo_commit_is_the_same_everywhere(tmp_path: Path) -> None:
    commit = create_example_docs_repo(tmp_path / "docs")
    assert commit == EXAMPLE_DOCS_COMMIT
    # Asking again finds the same repository instead of failing or rebuilding it.
    assert create_example_docs_repo(tmp_path / "docs") == EXAMPLE_DOCS_COMMIT
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae> %ad", "--date=iso"],
        cwd=tmp_path / "docs",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.startswith("instructlab <example@instructlab.invalid> 2025-01-01")


def test_example_has_knowledge_and_both_kinds_of_skill() -> None:
    files = example_taxonomy_files()
    leaves = [p for p in files if p.endswith("qna.yaml")]
    assert any(p.startswith("knowledge/") for p in leaves)
    grounded = [p for p in leaves if "context:" in files[p] and p.startswith("compositional")]
    freeform = [p for p in leaves if "context:" not in files[p]]
    assert grounded and len(freeform) >= 2


def test_written_taxonomy_names_the_docs_repo_and_commit(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    create_example_docs_repo(docs)
    written = write_example_taxonomy(tmp_path / "taxonomy", docs)
    knowledge = next(p for p in written if "knowledge" in p.parts and p.name == "qna.yaml")
    leaf = _native.load_yaml(knowledge.read_bytes(), str(knowledge))
    assert leaf["document"]["repo"] == str(docs.resolve())
    assert leaf["document"]["commit"] == EXAMPLE_DOCS_COMMIT
    for pattern in leaf["document"]["patterns"]:
        assert (docs / pattern).exists()
    # Every seed context of the knowledge leaf is quoted from the document.
    document = " ".join((docs / "pollinators.md").read_text().split())
    for example in leaf["seed_examples"]:
        assert " ".join(example["context"].split()) in document
        assert len(example["questions_and_answers"]) >= 3


def test_every_leaf_parses_and_has_five_seed_examples() -> None:
    for path, text in example_taxonomy_files().items():
        if path.endswith("qna.yaml"):
            leaf = _native.load_yaml(text.encode(), path)
            assert leaf["version"] == 3
            assert len(leaf["seed_examples"]) >= 5, path
