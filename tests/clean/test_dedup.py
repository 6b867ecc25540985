"""Exact and near-duplicate kernels through the Python face, with every input kind."""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time

import datasets
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructlab.clean import exact_duplicates, near_duplicates
from instructlab.errors import UsageError

TEXTS = ["Hello world", "hello  WORLD", None, "other", "Hello world", ""]


@pytest.mark.parametrize(
    "column",
    [
        TEXTS,
        pa.array(TEXTS),
        pa.array(TEXTS, pa.large_string()),
        pa.array(TEXTS, pa.string_view()),
        pa.chunked_array([TEXTS[:3], TEXTS[3:]]),
    ],
    ids=["list", "utf8", "large_utf8", "utf8_view", "chunked"],
)
def test_exact_keeps_first_with_every_input_kind(column) -> None:
    result = exact_duplicates([column])
    # None reads as "", so row 5 ("") duplicates row 2 (null).
    assert result.cluster.tolist() == [0, 0, 2, 3, 0, 2]
    assert result.keep.tolist() == [True, False, True, True, False, False]
    assert result.duplicates == 3


def test_exact_raw_and_sliced_arrays() -> None:
    assert exact_duplicates([TEXTS], "raw").cluster.tolist() == [0, 1, 2, 3, 0, 2]
    sliced = pa.array(TEXTS)[1:]
    assert exact_duplicates([sliced]).cluster.tolist() == [0, 1, 2, 0, 1]


def test_exact_several_columns_and_a_datasets_column() -> None:
    ds = datasets.Dataset.from_dict({"q": ["a", "a", "a"], "a": ["x", "y", "x"]})
    table = ds.data.table
    assert exact_duplicates([table.column("q"), table.column("a")]).cluster.tolist() == [0, 1, 0]


def test_bad_inputs_name_the_problem() -> None:
    with pytest.raises(UsageError, match="format"):
        exact_duplicates([pa.array([1, 2])])
    with pytest.raises(UsageError, match=r"row 1"):
        exact_duplicates([["a", 3]])
    with pytest.raises(UsageError, match="column 1 has 1 rows"):
        exact_duplicates([["a", "b"], ["a"]])
    with pytest.raises(UsageError, match="threshold"):
        near_duplicates(["a"], threshold=1.5)


def _doc(rng: random.Random, words: int = 60) -> list[str]:
    return [f"w{rng.randrange(10_000)}" for _ in range(words)]


def test_near_duplicates_cluster_onto_the_first() -> None:
    rng = random.Random(5)
    base = _doc(rng)
    near = list(base)
    near[30] = "changed"
    texts = [" ".join(_doc(rng)), " ".join(base), " ".join(near), " ".join(_doc(rng))]
    result = near_duplicates(pa.array(texts))
    assert result.cluster.tolist() == [0, 1, 1, 3]
    assert result.stats["verified_pairs"] == 1
    assert result.stats["bands"] * result.stats["rows"] <= 128


def test_near_spills_past_the_budget_with_the_same_result(tmp_path) -> None:
    rng = random.Random(9)
    docs = [" ".join(_doc(rng)) for _ in range(200)]
    texts = docs + docs[:50]
    in_memory = near_duplicates(texts)
    spilled = near_duplicates(texts, memory_budget=256, spill_dir=tmp_path)
    assert spilled.stats["spilled_bytes"] > 0
    assert np.array_equal(in_memory.cluster, spilled.cluster)
    assert not list(tmp_path.glob("instructlab-lsh-*"))  # spill files are cleaned up


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["a b c", "A  b c", "d e f", "", "g"]), max_size=30))
def test_exact_is_idempotent_and_keeps_a_subset(texts: list[str]) -> None:
    first = exact_duplicates([texts])
    kept = [t for t, k in zip(texts, first.keep, strict=True) if k]
    assert set(kept) <= set(texts)
    assert exact_duplicates([kept]).keep.all()
    # Every dropped row points at an earlier kept row.
    for i, c in enumerate(first.cluster):
        assert c <= i and first.keep[c]


@pytest.mark.usefixtures("sigint_raises")
def test_ctrl_c_interrupts_a_long_call() -> None:
    rng = random.Random(1)
    texts = [" ".join(_doc(rng, 80)) for _ in range(120_000)]
    # Ctrl-C arrives shortly after the native call has started (seen through the profiler's
    # c_call event), never on a timer: a fast build must not finish before the signal.
    entered, done = threading.Event(), threading.Event()

    def watch(frame: object, event: str, arg: object) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") == "near_dedup":
            entered.set()

    def interrupt() -> None:
        if entered.wait(60):
            time.sleep(0.02)
            if not done.is_set():
                os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=interrupt, daemon=True)
    sender.start()
    sys.setprofile(watch)
    try:
        with pytest.raises(KeyboardInterrupt):
            near_duplicates(texts, num_perm=256)
    finally:
        sys.setprofile(None)
        done.set()
        entered.set()
        sender.join()
