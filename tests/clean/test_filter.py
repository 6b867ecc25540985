"""Quality filters through the Python face."""

from __future__ import annotations

import pyarrow as pa
import pytest

from instructlab.clean import filter_settings, quality_filter
from instructlab.errors import UsageError

PROSE = (
    "The river carried seeds to distant meadows, and the farmers noticed that flowers "
    "appeared with bright colours every spring because bees visited them often."
)


def test_reasons_per_row() -> None:
    texts = [PROSE, "", "{}[]<>=+*&^%$@! x", "ok then", None]
    result = quality_filter(pa.array(texts))
    assert [result.reason(i) for i in range(5)] == [
        None,
        "empty",
        "non_alnum_chars",
        None,
        "empty",
    ]
    assert result.keep.tolist() == [True, False, False, True, False]
    assert result.counts() == {"empty": 2, "non_alnum_chars": 1}


def test_gopher_preset_and_overrides() -> None:
    assert quality_filter([PROSE], preset="gopher").reason(0) == "too_few_words"
    assert quality_filter([PROSE], preset="gopher", min_words=5).reason(0) is None
    assert quality_filter(["x"], min_words=None, max_non_alnum_ratio=None).reason(0) is None
    settings = filter_settings("gopher")
    assert settings["min_words"] == 50
    assert settings["duplicate_ngrams"][0] == (5, 0.15)
    with pytest.raises(UsageError, match="no_such_setting"):
        quality_filter(["x"], no_such_setting=1)


def test_echo_and_tokens() -> None:
    q = ["What is the capital city of France?", "What is the capital city of France?"]
    a = ["what is the capital city of france", "Paris is the capital of France."]
    assert [quality_filter(a, q).reason(i) for i in range(2)] == ["echoes_question", None]
    result = quality_filter(["one two three four"], tokenizer=str.split, max_tokens=3)
    assert result.reason(0) == "too_many_tokens"
