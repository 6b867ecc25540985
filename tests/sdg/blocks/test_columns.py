"""The column blocks, one row at a time and (SetToMajorityValue) over every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.sdg import PipelineContext
from instructlab.sdg.blocks import (
    CombineColumnsBlock,
    DuplicateColumnsBlock,
    FlattenColumnsBlock,
    RenameColumnsBlock,
    SamplePopulatorBlock,
    SelectorBlock,
    SetToMajorityValueBlock,
)

CTX = PipelineContext()


def test_duplicate_and_rename() -> None:
    rows = [{"a": 1, "b": 2}]
    assert DuplicateColumnsBlock(CTX, None, "d", {"a": "c"}).generate(rows) == [
        {"a": 1, "b": 2, "c": 1}
    ]
    # Renames apply at once, so two columns can swap names.
    swapped = RenameColumnsBlock(CTX, None, "r", {"a": "b", "b": "a"}).generate(rows)
    assert swapped == [{"b": 1, "a": 2}]


def test_combine_and_select() -> None:
    rows = [{"x": "one", "y": "two", "pick": "x"}, {"x": "one", "y": "two", "pick": "y"}]
    combined = CombineColumnsBlock(CTX, None, "c", ["x", "y"], "xy", " + ").generate(rows)
    assert [r["xy"] for r in combined] == ["one + two", "one + two"]
    selected = SelectorBlock(CTX, None, "s", {"x": "x", "y": "y"}, "pick", "out").generate(rows)
    assert [r["out"] for r in selected] == ["one", "two"]


def test_flatten_makes_one_row_per_column() -> None:
    rows = [{"id": 7, "summary": "s", "facts": "f"}]
    out = FlattenColumnsBlock(CTX, None, "f", ["summary", "facts"], "document", "kind").generate(
        rows
    )
    assert out == [
        {"id": 7, "kind": "summary", "document": "s"},
        {"id": 7, "kind": "facts", "document": "f"},
    ]


def test_majority_value_with_ties_takes_the_smallest() -> None:
    rows = [{"v": "b"}, {"v": "a"}, {"v": "b"}, {"v": "a"}, {"v": "c"}]
    out = SetToMajorityValueBlock(CTX, None, "m", "v").generate(rows)
    assert [r["v"] for r in out] == ["a"] * 5
    assert SetToMajorityValueBlock.whole_dataset


def test_sample_populator_merges_the_named_file(tmp_path: Path) -> None:
    (tmp_path / "alpha.yaml").write_text("hint: first\n", encoding="utf-8")
    (tmp_path / "beta.yaml").write_text("hint: second\n", encoding="utf-8")
    block = SamplePopulatorBlock(
        CTX, None, "p", [str(tmp_path / "alpha.yaml"), str(tmp_path / "beta.yaml")], "which"
    )
    out = block.generate([{"which": "beta"}, {"which": "alpha"}])
    assert [r["hint"] for r in out] == ["second", "first"]


@pytest.mark.parametrize(
    "block",
    [
        DuplicateColumnsBlock(CTX, None, "d", {"missing": "c"}),
        CombineColumnsBlock(CTX, None, "c", ["missing"], "o"),
        SelectorBlock(CTX, None, "s", {"x": "x"}, "pick", "o"),
    ],
)
def test_a_missing_column_drops_the_row_not_the_run(block) -> None:
    assert block.generate([{"pick": "nope", "x": 1}]) == []
