"""Judge noise: medians of samples, bootstrap intervals, and "within noise"."""

from __future__ import annotations

import pytest

from instructlab.eval.noise import difference, estimate, median_score


def test_a_score_is_the_mean_of_medians_and_lies_in_its_interval() -> None:
    items = [[7.0, 8.0, 9.0], [4.0], [5.0, 5.0], []]  # the empty item had no rating
    found = estimate(items)
    assert found is not None
    assert found.value == pytest.approx((8 + 4 + 5) / 3)
    assert found.count == 3
    assert found.low <= found.value <= found.high
    assert estimate(items) == found  # deterministic
    assert estimate([[]]) is None
    assert median_score([]) is None
    assert median_score([1.0, 3.0]) == 2.0


def test_one_item_with_one_sample_has_no_width() -> None:
    found = estimate([[6.0]])
    assert (found.low, found.value, found.high) == (6.0, 6.0, 6.0)


def test_judge_noise_widens_the_interval() -> None:
    steady = estimate([[5.0] * 5 for _ in range(20)])
    noisy = estimate([[3.0, 5.0, 7.0, 4.0, 6.0] for _ in range(20)])
    assert steady.high - steady.low == 0
    assert noisy.high - noisy.low > 0


def test_a_difference_inside_its_interval_is_within_noise() -> None:
    base = [[4.0, 6.0, 5.0], [5.0, 3.0, 7.0], [6.0, 4.0, 5.0]]
    slightly = [[5.0, 6.0, 4.0], [6.0, 4.0, 7.0], [5.0, 6.0, 4.0]]
    clearly = [[9.0, 9.0, 9.0], [9.0, 10.0, 9.0], [9.0, 9.0, 10.0]]
    small = difference(slightly, base)
    large = difference(clearly, base)
    assert small is not None and small.within_noise
    assert large is not None and not large.within_noise
    assert large.low > 0
    assert difference([], base) is None


def test_groups_and_their_stratified_whole() -> None:
    from instructlab.eval.noise import estimate_groups

    groups = {"a": [[2.0], [4.0]], "b": [[8.0], [9.0], [10.0]], "none": [[]]}
    found, whole = estimate_groups(groups)
    assert set(found) == {"a", "b"}
    assert found["a"].value == 3.0 and found["b"].value == 9.0
    assert whole is not None and whole.value == (2 + 4 + 8 + 9 + 10) / 5
    assert whole.count == 5
    assert found["a"].low <= 3.0 <= found["a"].high
    assert whole.low <= whole.value <= whole.high
    assert estimate_groups({"x": [[]]}) == ({}, None)
