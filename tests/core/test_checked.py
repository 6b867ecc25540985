"""SDK arguments checked against the method's own annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pytest

from instructlab.core._checked import Fraction, Ge, Gt, Le, Positive, checked
from instructlab.errors import UsageError


class Sample:
    @checked
    def call(
        self,
        name: str,
        count: Positive = 1,
        share: Fraction = 0.5,
        ratio: Annotated[float, Gt(0), Le(2)] | None = None,
        path: str | Path | None = None,
        where: Path | None = None,
        columns: list[str] | None = None,
        settings: dict[str, Any] | None = None,
        mode: Literal["a", "b"] = "a",
        flag: bool = False,
        shift: Annotated[int, Ge(-1)] = 0,
    ) -> dict[str, Any]:
        return dict(locals())


def test_good_arguments_pass_with_the_conversions_python_users_expect() -> None:
    got = Sample().call("x", 3, 1, ratio=2, path="p", where="w", columns=("a", "b"))
    assert got["share"] == 1.0 and isinstance(got["share"], float)
    assert got["path"] == "p"  # `str | Path` keeps a str a str
    assert got["where"] == Path("w")
    assert got["columns"] == ["a", "b"]
    assert got["ratio"] == 2.0


@pytest.mark.parametrize(
    ("kwargs", "param", "says"),
    [
        ({"name": 5}, "name", "expected a string, got 5 (int)"),
        ({"name": "x", "count": "many"}, "count", "expected a whole number, got 'many'"),
        ({"name": "x", "count": 0}, "count", "must be at least 1, got 0"),
        ({"name": "x", "count": True}, "count", "expected a whole number, got True"),
        ({"name": "x", "share": 1.5}, "share", "must be at most 1, got 1.5"),
        ({"name": "x", "share": float("nan")}, "share", "got nan"),
        ({"name": "x", "ratio": 0}, "ratio", "must be above 0, got 0"),
        ({"name": "x", "columns": "question"}, "columns", "a single 'question' (str); wrap it"),
        ({"name": "x", "columns": ["a", 3]}, "columns", "[1]: expected a string, got 3"),
        ({"name": "x", "settings": [1]}, "settings", "expected a mapping"),
        ({"name": "x", "mode": "c"}, "mode", "expected one of 'a', 'b', got 'c'"),
        ({"name": "x", "flag": "yes"}, "flag", "expected True or False, got 'yes'"),
        ({"name": "x", "where": 3}, "where", "expected a path, got 3 (int)"),
        ({"name": "x", "shift": -2}, "shift", "must be at least -1, got -2"),
    ],
)
def test_bad_arguments_are_usage_errors_naming_the_argument(kwargs, param, says) -> None:
    with pytest.raises(UsageError) as caught:
        Sample().call(**kwargs)
    assert caught.value.param == param
    assert caught.value.message.startswith(f"{param}: ")
    assert says in caught.value.message


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(UsageError) as caught:
        Sample().call(7, count=-1)
    assert caught.value.param == "name"
    assert "name: expected a string" in caught.value.message
    assert "count: must be at least 1" in caught.value.message


def test_a_call_that_does_not_fit_the_signature() -> None:
    with pytest.raises(UsageError, match=r"Sample\.call\(\): .*missing a required argument"):
        Sample().call()
    with pytest.raises(UsageError, match="unexpected keyword argument 'colour'"):
        Sample().call("x", colour="red")


def test_the_sdk_is_checked() -> None:
    """The public SDK methods carry the checks (a few of the reported cases)."""
    from instructlab.core import Config, Data, Model

    with pytest.raises(UsageError, match="threshold: expected a number, got 'high'"):
        Data().dedup("rows.jsonl", threshold="high")
    with pytest.raises(UsageError, match="key: expected a string, got 5"):
        Config().show(5)
    with pytest.raises(UsageError, match="max_seq_len: expected a whole number, got 'big'"):
        Model().process_data(max_seq_len="big")
    with pytest.raises(UsageError, match="columns: expected a list, got a single 'question'"):
        Data().dedup("rows.jsonl", columns="question")
