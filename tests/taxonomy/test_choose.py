"""Choosing the leaves a generation run starts from: the valid leaves changed since a base."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from instructlab.errors import TaxonomyError
from instructlab.taxonomy import NoChangedLeaves, changed_leaves


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_every_changed_leaf_or_none_to_generate(taxonomy: Path) -> None:
    leaves = changed_leaves(taxonomy, "empty")
    assert len(leaves) == 4
    assert [leaf.path for leaf in leaves] == sorted(leaf.path for leaf in leaves)
    _git(taxonomy, "branch", "-f", "here", "HEAD")
    with pytest.raises(NoChangedLeaves, match="--taxonomy-base empty") as none:
        changed_leaves(taxonomy, "here")
    assert none.value.exit_code == 1 and str(taxonomy) in none.value.message


def test_an_invalid_changed_leaf_stops_the_choice(taxonomy: Path) -> None:
    leaf = taxonomy / "compositional_skills/linguistics/synonyms/qna.yaml"
    leaf.write_text(leaf.read_text().replace("seed_examples:", "seed_exampels:"))
    with pytest.raises(TaxonomyError, match="synonyms"):
        changed_leaves(taxonomy, "empty")
