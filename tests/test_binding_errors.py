"""Bad arguments to the native functions are `UsageError`s naming the argument.

The binding raises only mapped errors (rust/instructlab-py/src/errors.rs): never a raw ValueError,
KeyError, TypeError or OverflowError, so the CLI can say which option is wrong and exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from instructlab import _native
from instructlab.errors import UsageError

TEXTS = ["one two three four five six", "one two three four five six", "other words here"]

# The smallest tokenizer.json the engine loads: whole words, no special tokens.
TOKENIZER = json.dumps(
    {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "a": 1}, "unk_token": "[UNK]"},
    }
)
TEMPLATE = "{% for m in messages %}{{ m.content }}{% endfor %}"


def _engine(**kwargs: Any) -> _native.PackEngine:
    return _native.PackEngine(TOKENIZER, TEMPLATE, {}, **{"max_seq_len": 100, **kwargs})


def _plan(**kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "lengths": b"\x01\x00\x00\x00",
        "token_budget": 10,
        "ranks": 1,
        "effective_batch_size": 1,
    }
    return _native.plan_packing(**{**args, **kwargs})


def _flatten(**kwargs: Any) -> Any:
    args: dict[str, Any] = {
        "input_ids": b"\x01\x00\x00\x00",
        "labels": b"\x01\x00\x00\x00",
        "offsets": b"\x00" * 8 + b"\x01" + b"\x00" * 7,
        "samples": [0],
    }
    return _native.flatten_packed(**{**args, **kwargs})


# (case id, call, the argument the error must name, text the message must also hold)
CASES: list[tuple[str, Callable[[], object], str, str]] = [
    # near_dedup: every integer argument, a bad shingle, a bad normalisation
    ("num_perm negative", lambda: _native.near_dedup(TEXTS, num_perm=-5), "num_perm", "got -5"),
    ("num_perm zero", lambda: _native.near_dedup(TEXTS, num_perm=0), "num_perm", "1 to 4096"),
    ("num_perm huge", lambda: _native.near_dedup(TEXTS, num_perm=2**70), "num_perm", "too large"),
    ("num_perm text", lambda: _native.near_dedup(TEXTS, num_perm="many"), "num_perm", "(str)"),
    ("num_perm float", lambda: _native.near_dedup(TEXTS, num_perm=1.5), "num_perm", "(float)"),
    ("ngram zero", lambda: _native.near_dedup(TEXTS, ngram=0), "ngram", "at least 1, got 0"),
    ("ngram negative", lambda: _native.near_dedup(TEXTS, ngram=-1), "ngram", "got -1"),
    ("seed negative", lambda: _native.near_dedup(TEXTS, seed=-1), "seed", "got -1"),
    ("memory_budget", lambda: _native.near_dedup(TEXTS, memory_budget=-1), "memory_budget", "-1"),
    ("bands zero", lambda: _native.near_dedup(TEXTS, bands=(0, 4)), "bands", "got 0"),
    ("bands negative", lambda: _native.near_dedup(TEXTS, bands=(4, -4)), "bands", "got -4"),
    ("bands shape", lambda: _native.near_dedup(TEXTS, bands=7), "bands", "(bands, rows)"),
    ("shingle", lambda: _native.near_dedup(TEXTS, shingle="bogus"), "shingle", "'bogus'"),
    ("near normalize", lambda: _native.near_dedup(TEXTS, normalize="bogus"), "normalize", "bogus"),
    ("column type", lambda: _native.near_dedup(5), "column", "got int"),
    ("column row", lambda: _native.near_dedup(["a", 3]), "column", "row 1"),
    # exact_dedup and normalize_text
    ("exact normalize", lambda: _native.exact_dedup([TEXTS], "bogus"), "normalize", "bogus"),
    ("normalize flag", lambda: _native.normalize_text("x", "nfkc+bogus"), "normalize", "bogus"),
    ("columns item", lambda: _native.exact_dedup([TEXTS, {"a": 1}]), "columns", "item 1"),
    ("columns row", lambda: _native.exact_dedup([["a", None, 2.5]]), "columns", "row 2"),
    # filter_config and quality_filter: preset, setting names and values
    ("preset", lambda: _native.filter_config("bogus"), "preset", "'bogus'"),
    (
        "unknown setting",
        lambda: _native.filter_config("default", {"bogus": 5}),
        "bogus",
        "min_chars",
    ),
    ("setting name type", lambda: _native.filter_config("default", {5: 1}), "overrides", "5"),
    (
        "count negative",
        lambda: _native.filter_config("default", {"min_chars": -1}),
        "min_chars",
        "-1",
    ),
    (
        "count text",
        lambda: _native.filter_config("default", {"max_words": "x"}),
        "max_words",
        "'x'",
    ),
    (
        "ratio text",
        lambda: _native.filter_config("default", {"max_non_alnum_ratio": "high"}),
        "max_non_alnum_ratio",
        "'high'",
    ),
    (
        "ngram pairs",
        lambda: _native.filter_config("default", {"top_ngrams": [(0, 0.2)]}),
        "top_ngrams",
        "got 0",
    ),
    (
        "ngram pairs shape",
        lambda: _native.filter_config("default", {"duplicate_ngrams": 3}),
        "duplicate_ngrams",
        "(n, fraction)",
    ),
    (
        "token_counts negative",
        lambda: _native.quality_filter(["a", "b"], token_counts=[1, -2]),
        "token_counts[1]",
        "got -2",
    ),
    (
        "token_counts shape",
        lambda: _native.quality_filter(["a"], token_counts="3"),
        "token_counts",
        "a list of integers",
    ),
    ("questions type", lambda: _native.quality_filter(["a"], questions=3), "questions", "int"),
    # decontaminate
    ("decontam ngram", lambda: _native.decontaminate([TEXTS], TEXTS, ngram=0), "ngram", "got 0"),
    ("decontam ngram neg", lambda: _native.decontaminate([TEXTS], TEXTS, ngram=-3), "ngram", "-3"),
    ("references", lambda: _native.decontaminate([TEXTS], "abc"), "references", "str"),
    # the training-data engine, the packing plan and the micro-batch layout
    ("max_seq_len", lambda: _engine(max_seq_len=-1), "max_seq_len", "got -1"),
    ("max_seq_len zero", lambda: _engine(max_seq_len=0), "max_seq_len", "got 0"),
    ("min_seq_len", lambda: _engine(min_seq_len=-2), "min_seq_len", "got -2"),
    ("min above max", lambda: _engine(max_seq_len=4, min_seq_len=8), "min_seq_len", "max_seq_len"),
    ("messages json", lambda: _engine().render("not json"), "messages_json", "JSON"),
    ("token_budget", lambda: _plan(token_budget=0), "token_budget", "got 0"),
    ("ranks", lambda: _plan(ranks=-1), "ranks", "got -1"),
    ("ranks huge", lambda: _plan(ranks=2**40), "ranks", "4294967295"),
    ("batch size", lambda: _plan(effective_batch_size=0), "effective_batch_size", "got 0"),
    ("plan seed", lambda: _plan(seed=-7), "seed", "got -7"),
    ("lengths bytes", lambda: _plan(lengths=b"\x01\x00\x00"), "lengths", "3 bytes"),
    ("samples", lambda: _flatten(samples=[0, -1]), "samples[1]", "got -1"),
    ("offsets bytes", lambda: _flatten(offsets=b"\x00" * 12), "offsets", "12 bytes"),
]


@pytest.mark.parametrize(
    ("call", "param", "detail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_bad_argument_is_a_usage_error_naming_it(
    call: Callable[[], object], param: str, detail: str
) -> None:
    with pytest.raises(UsageError) as caught:
        call()
    err = caught.value
    assert err.exit_code == 2
    assert err.param == param
    assert str(err).startswith(f"{param}: "), str(err)
    assert detail in str(err), str(err)


def test_good_arguments_at_the_edges_of_their_ranges_pass() -> None:
    raw, stats = _native.near_dedup(TEXTS, num_perm=1, ngram=1, seed=2**64 - 1, bands=(1, 1))
    assert len(raw) == 4 * len(TEXTS)
    assert stats["bands"] == 1
    assert _native.filter_config("gopher", {"min_chars": 0, "top_ngrams": None})["min_chars"] == 0
    assert _engine(max_seq_len=1, min_seq_len=1).encode("a") == [1]
    plan = _plan(seed=0)
    assert plan["stats"]["steps"] == 1
