"""Sampling parameters and stop-string matching."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instructlab.serve.generation import EngineError, SamplingParams, StopMatcher


def test_defaults_and_overrides() -> None:
    params = SamplingParams.from_request({"temperature": 0, "n": 2, "stop": "x", "seed": 3}, 64)
    assert params.temperature == 0.0
    assert params.n == 2
    assert params.stop == ["x"]
    assert params.max_tokens == 64
    assert SamplingParams.from_request({"max_completion_tokens": 5}, None).max_tokens == 5


@pytest.mark.parametrize(
    "body",
    [{"temperature": -1}, {"top_p": 2}, {"n": 0}, {"max_tokens": 0}, {"seed": "a"}, {"n": True}],
)
def test_out_of_range_values_are_refused(body) -> None:
    with pytest.raises(EngineError):
        SamplingParams.from_request(body, None)


def test_stop_string_split_across_pieces_is_held_back_then_cut() -> None:
    matcher = StopMatcher(["END"])
    assert matcher.feed("abc E") == ("abc ", False)
    assert matcher.feed("N") == ("", False)
    assert matcher.feed("D tail") == ("", True)
    assert matcher.text == "abc "


def test_partial_stop_prefix_is_released_when_it_does_not_complete() -> None:
    matcher = StopMatcher(["END"])
    assert matcher.feed("xE") == ("x", False)
    assert matcher.feed("Nd") == ("ENd", False)
    assert matcher.flush() == ""


@given(
    text=st.text(alphabet="abE", max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=8),
    stop=st.sampled_from(["E", "bE", "aba"]),
)
def test_emitted_text_is_the_text_before_the_first_stop(text, cuts, stop) -> None:
    bounds = sorted({0, len(text), *(c for c in cuts if c <= len(text))})
    matcher = StopMatcher([stop])
    out = ""
    hit = False
    for start, end in itertools.pairwise(bounds):
        piece, hit = matcher.feed(text[start:end])
        out += piece
        if hit:
            break
    if not hit:
        out += matcher.flush()
    expected = text.split(stop, 1)[0]
    assert out == expected
    assert hit == (stop in text)
