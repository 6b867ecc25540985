"""What a judge's reply means, and how a judge is held to a rating."""

from __future__ import annotations

import json

import pytest

from instructlab.eval.judge import parse_rating, prompt_hash, rating_format, stable_seed


@pytest.mark.parametrize(
    ("text", "high", "rating"),
    [
        ("Good answer. Rating: [[7]]", 10, 7.0),
        ("Rating: [[8.5]]", 10, 8.5),
        ("Rating: [ 6 ]", 10, 6.0),
        ('{"explanation": "see [2]", "rating": 4}', 5, 4.0),
        ('{"explanation": "fine", "rating": "3"}', 5, 3.0),
        ("[[11]]", 10, None),
        ("[[0]]", 10, None),
        ("[[5]]", 4, None),
        ("no verdict at all", 10, None),
        ("", 10, None),
        (None, 10, None),
    ],
)
def test_ratings_are_read_in_fastchat_form_or_as_json(text, high, rating) -> None:
    assert parse_rating(text, high) == rating


def test_the_rating_schema_allows_only_the_scale() -> None:
    fmt = rating_format(5)
    schema = fmt["json_schema"]["schema"]
    assert fmt["type"] == "json_schema"
    assert schema["properties"]["rating"]["enum"] == [1, 2, 3, 4, 5]
    assert schema["required"] == ["explanation", "rating"]
    json.dumps(fmt)


def test_seeds_and_hashes_are_stable() -> None:
    assert stable_seed("81", 1) == stable_seed("81", 1)
    assert stable_seed("81", 1) != stable_seed("81", 2)
    assert 0 <= stable_seed("x") < 2**31
    assert prompt_hash("a", "b") != prompt_hash("ab")
