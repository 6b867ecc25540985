"""The mock server over real HTTP: scripted rules, the API key, the statistics."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from instructlab.testing import MockOpenAI, Rule
from instructlab.testing.rules import Call


def _post(url: str, body: dict[str, object], key: str | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.load(response))


def test_a_function_rule_scores_each_question_and_turn() -> None:
    def judge(call: Call) -> str:
        found = re.search(r"Q(\d+) T(\d)", call.last_user)
        return f"[[{int(found[1]) + int(found[2])}]]" if found else "no idea"

    with MockOpenAI([Rule(re.compile(r"Q\d+"), judge)], api_key="k") as mock:
        url = mock.base_url + "/chat/completions"
        for question, turn in ((1, 1), (4, 2)):
            messages = [{"role": "user", "content": f"Rate Q{question} T{turn}"}]
            reply = _post(url, {"model": "judge", "messages": messages}, "k")
            choice = reply["choices"][0]  # type: ignore[index]
            assert choice["message"]["content"] == f"[[{question + turn}]]"
        with pytest.raises(urllib.error.HTTPError) as refused:
            _post(url, {"model": "judge", "messages": []}, "wrong")
        assert refused.value.code == 401
        refused.value.close()
        assert mock.stats.by_rule[r"Q\d+"] == 2
        assert mock.stats.http_requests == 3
