"""Endpoint URLs are checked before anything is sent to them."""

from __future__ import annotations

import pytest

from instructlab.errors import UsageError
from instructlab.llm.url import check_url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/v1", "https://teacher.example/v1", "http://[::1]:9/v1"]
)
def test_good_urls_pass(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not-a-url", "has no scheme"),
        ("ftp://127.0.0.1/v1", "has 'ftp://'"),
        ("http://", "names no host"),
        ("http://127.0.0.1:70000/v1", "port outside 1-65535"),
        ("http://127.0.0.1:0/v1", "port outside 1-65535"),
        ("http://host name/v1", "holds spaces"),
        ("", "is empty"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_url(url, "judge_url")
    assert caught.value.param == "judge_url"
    assert caught.value.message.startswith("judge_url: ")
    assert says in caught.value.message
