from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.errors import UsageError
from instructlab.taxonomy import init_taxonomy

from .conftest import git


def test_seeded_repo_has_main_and_origin_main(example: Path) -> None:
    assert git(example, "branch", "--show-current") == "main"
    assert git(example, "rev-parse", "origin/main") == git(example, "rev-parse", "HEAD~1")
    assert (example / "knowledge/science/ecology/pollinators/qna.yaml").is_file()


def test_clone_of_a_local_repository_is_shallow(example: Path, tmp_path: Path) -> None:
    clone = init_taxonomy(tmp_path / "clone", str(example))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    assert (clone / "compositional_skills/linguistics/synonyms/qna.yaml").is_file()
    full = init_taxonomy(tmp_path / "full", str(example), shallow=False)
    assert git(full, "rev-parse", "--is-shallow-repository") == "false"


def test_refuses_a_non_empty_destination(example: Path) -> None:
    with pytest.raises(UsageError, match="already exists"):
        init_taxonomy(example)
