"""Reply rules: what a rule answers, and replies computed from the request."""

from __future__ import annotations

import re

from instructlab.testing.rules import Call, Rule, rules_from_file


def _call(prompt: str, **body: object) -> Call:
    return Call(prompt, 0, None, "m", "chat", dict(body))


def test_a_rule_matches_by_substring_regex_or_function() -> None:
    assert Rule("bees", ["x"]).fits(_call("about bees"))
    assert not Rule("wasps", ["x"]).fits(_call("about bees"))
    assert Rule("", ["x"]).fits(_call("anything"))
    assert Rule(re.compile(r"question \d+"), ["x"]).fits(_call("question 12, turn 2"))
    assert Rule(lambda c: c.model == "m", ["x"]).fits(_call("anything"))
    assert Rule(re.compile("q.*"), ["x"]).name == "q.*"


def test_a_judge_score_derived_from_the_question_and_turn() -> None:
    """A swapped question or turn gives another score, so a test sees it."""

    def judge(call: Call) -> str:
        found = re.search(r"question (\d+), turn (\d)", call.last_user)
        assert found is not None
        question, turn = int(found[1]), int(found[2])
        return f"Rating: [[{(question * 3 + turn) % 10 + 1}]]"

    rule = Rule(re.compile("question"), judge)
    messages = [
        {"role": "system", "content": "You judge."},
        {"role": "user", "content": "question 4, turn 2"},
    ]
    call = Call("...", 0, None, "judge", "chat", {"messages": messages})
    assert call.last_user == "question 4, turn 2"
    assert rule.reply(call) == "Rating: [[5]]"
    assert rule.reply(_call("question 2, turn 4", messages=[])) == "Rating: [[1]]"


def test_listed_replies_are_picked_deterministically() -> None:
    rule = Rule("", ["a", "b", "c"])
    picks = {rule.reply(Call(f"p{i}", 0, 1, "m", "chat", {})) for i in range(30)}
    assert picks == {"a", "b", "c"}
    assert rule.reply(_call("p1")) == rule.reply(_call("p1"))
    assert Rule("", ["w{k} "], repeat=3).reply(_call("x")) == "w0 w1 w2 "


def test_rules_from_a_yaml_script(tmp_path) -> None:
    script = tmp_path / "rules.yaml"
    script.write_text(
        "- {match: 'Rate', replies: ['[[7]]'], error_rate: 0.1}\n"
        "- {match: 'q\\d', regex: true, replies: [x]}\n",
        encoding="utf-8",
    )
    first, second = rules_from_file(script)
    assert first.fits(_call("Rate this")) and first.error_rate == 0.1
    assert second.fits(_call("q7")) and not second.fits(_call("qq"))
