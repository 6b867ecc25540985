"""FilterByValueBlock semantics: operations, value lists, type conversion with defaults."""

from __future__ import annotations

import pytest

from instructlab.sdg import BlockConfigParserError, PipelineContext
from instructlab.sdg.blocks import FilterByValueBlock

CTX = PipelineContext()


def _keep(rows, **config):
    block = FilterByValueBlock(CTX, None, "f", **config)
    return block.generate(rows)


def test_eq_with_float_conversion_and_default() -> None:
    rows = [{"s": "2"}, {"s": "2.0"}, {"s": "three"}, {"s": "1"}]
    kept = _keep(rows, filter_column="s", filter_value=2.0, operation="eq", convert_dtype="float")
    assert [r["s"] for r in kept] == [2.0, 2.0]
    kept = _keep(rows, filter_column="s", filter_value=0, operation="eq", convert_dtype="float")
    assert [r["s"] for r in kept] == [0.0]  # "three" became the default 0.0


def test_value_list_means_any_and_ge() -> None:
    rows = [{"n": 1}, {"n": 2}, {"n": 3}]
    assert len(_keep(rows, filter_column="n", filter_value=[1, 3], operation="eq")) == 2
    assert len(_keep(rows, filter_column="n", filter_value=2, operation="ge")) == 2


def test_contains_on_text() -> None:
    rows = [{"t": "John Smith"}, {"t": "Jane Doe"}, {"t": "Bob"}]
    kept = _keep(rows, filter_column="t", filter_value=["John", "Jane"], operation="contains")
    assert [r["t"] for r in kept] == ["John Smith", "Jane Doe"]


def test_unknown_operation_is_a_config_error() -> None:
    with pytest.raises(BlockConfigParserError, match="unknown operation"):
        FilterByValueBlock(CTX, None, "f", "c", 1, "matches")
