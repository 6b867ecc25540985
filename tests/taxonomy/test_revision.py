"""Reading a taxonomy as it was at a revision, without a checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.errors import FileError, GitError
from instructlab.taxonomy import leaves_at
from taxonomy.conftest import git, skill_text


def test_each_revision_is_read_from_git_and_the_work_tree_is_untouched(tmp_path: Path) -> None:
    root = tmp_path / "t"
    (root / "compositional_skills/a").mkdir(parents=True)
    (root / "compositional_skills/a/qna.yaml").write_text(skill_text(3))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    (root / "compositional_skills/b").mkdir()
    (root / "compositional_skills/b/qna.yaml").write_text("seed_examples: [unclosed\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "broken leaf")
    git(root, "checkout", "-q", "main")
    (root / "compositional_skills/a/qna.yaml").write_text("edited, not committed\n")

    base = leaves_at(root, "main")
    assert [leaf.path for leaf in base] == ["compositional_skills/a/qna.yaml"]
    assert len(base[0].content["seed_examples"]) == 3
    feature = leaves_at(root, "feature")
    assert [leaf.path for leaf in feature] == [
        "compositional_skills/a/qna.yaml",
        "compositional_skills/b/qna.yaml",
    ]
    assert feature[1].content is None and feature[1].problem
    assert (root / "compositional_skills/a/qna.yaml").read_text() == "edited, not committed\n"

    with pytest.raises(GitError, match="nope"):
        leaves_at(root, "nope")
    with pytest.raises(GitError, match="not the root of a git repository"):
        leaves_at(root / "compositional_skills", "main")
    with pytest.raises(FileError):
        leaves_at(tmp_path / "missing", "main")
