"""DeduplicateBlock and QualityFilterBlock: the cleaning kernels inside a pipeline."""

from __future__ import annotations

import pytest

from instructlab.sdg.blocks.clean import DeduplicateBlock, QualityFilterBlock
from instructlab.sdg.context import PipelineContext
from instructlab.sdg.errors import BlockConfigParserError
from instructlab.sdg.registry import BlockRegistry

CTX = PipelineContext()
WORDS = " ".join(f"w{i}" for i in range(60))


def test_exact_and_near_dedup_keep_the_first_row() -> None:
    rows = [
        {"q": "Why?", "a": "Because."},
        {"q": "why?", "a": "because."},
        {"q": "Why?", "a": 1},
        {"q": "Why?", "a": 1},
    ]
    exact = DeduplicateBlock(CTX, None, "d", ["q", "a"]).generate(rows)
    assert exact == [rows[0], rows[2]]
    raw = DeduplicateBlock(CTX, None, "d", ["q", "a"], normalize="raw").generate(rows)
    assert raw == [rows[0], rows[1], rows[2]]
    texts = [{"t": WORDS}, {"t": "other words entirely"}, {"t": WORDS + " more"}]
    near = DeduplicateBlock(CTX, None, "n", ["t"], threshold=0.8).generate(texts)
    assert near == texts[:2]
    assert DeduplicateBlock.whole_dataset
    assert BlockRegistry.lookup("DeduplicateBlock") is DeduplicateBlock
    with pytest.raises(BlockConfigParserError, match="threshold"):
        DeduplicateBlock(CTX, None, "d", ["q"], threshold=0)


def test_quality_filter_drops_with_reasons() -> None:
    rows = [
        {"question": "What is the capital city of France?", "answer": "Paris is the capital."},
        {"question": "Why?", "answer": ""},
        {
            "question": "What is the capital city of France?",
            "answer": "What is the capital city of France",
        },
    ]
    block = QualityFilterBlock(CTX, None, "f", "answer", question_column="question")
    assert block.generate(rows) == [rows[0]]
    assert block.columns_needed() == {"answer", "question"}
    assert BlockRegistry.lookup("QualityFilterBlock") is QualityFilterBlock
    with pytest.raises(BlockConfigParserError, match="preset"):
        QualityFilterBlock(CTX, None, "f", "answer", preset="nope")
    with pytest.raises(BlockConfigParserError, match="no_such"):
        QualityFilterBlock(CTX, None, "f", "answer", settings={"no_such": 1})
