from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.config import Config as ConfigModel
from instructlab.core import Taxonomy
from instructlab.errors import TaxonomyError
from instructlab.taxonomy import Leaf


def test_init_diff_validate_on_the_example(tmp_path: Path) -> None:
    tax = Taxonomy(tmp_path / "taxonomy", configuration=ConfigModel())
    assert tax.init() == tmp_path / "taxonomy"
    leaves = tax.diff(skip_documents=True)
    assert [leaf.path for leaf in leaves] == sorted(leaf.path for leaf in leaves)
    assert all(isinstance(leaf, Leaf) for leaf in leaves)
    assert {leaf.kind for leaf in leaves} == {"knowledge", "grounded_skill", "freeform_skill"}
    knowledge = next(leaf for leaf in leaves if leaf.kind == "knowledge")
    assert knowledge.version == 3
    assert knowledge.content["domain"] == "ecology"
    report = tax.validate(base="empty", skip_documents=True)
    assert report.valid
    assert len(report.checked) == 4


def test_diff_raises_listing_every_problem(tmp_path: Path) -> None:
    tax = Taxonomy(tmp_path / "taxonomy", configuration=ConfigModel())
    tax.init()
    leaf = tmp_path / "taxonomy/compositional_skills/linguistics/synonyms/qna.yaml"
    leaf.write_text(leaf.read_text().replace("created_by: ", "created_by:   ") + "extra: 1\n")
    with pytest.raises(TaxonomyError) as caught:
        tax.diff(skip_documents=True)
    text = str(caught.value)
    assert "synonyms/qna.yaml:3:14 too many spaces after colon (colons)" in text
    assert "[.extra] unknown key 'extra'" in text
    assert len(caught.value.problems) == 2
