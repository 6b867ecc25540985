"""The mock teacher's capacity model: an ideal schedule, unaffected by the event loop's lag."""

from __future__ import annotations

from instructlab.testing.capacity import Capacity, FaultModel
from instructlab.testing.rules import Rule


def test_queued_requests_start_when_slots_end_on_paper() -> None:
    cap = Capacity(2, 0.2)
    assert cap.reserve(1, 0.0) == (0.0, 1)
    assert cap.reserve(1, 0.05) == (0.05, 2)
    # Both slots busy: the next starts when the first ends (0.2), even if it is seen later.
    assert cap.reserve(1, 0.1) == (0.2, 2)
    assert cap.reserve(1, 0.1) == (0.25, 2)
    # An idle server starts a request when it arrives.
    assert cap.reserve(1, 5.0) == (5.0, 1)


def test_a_request_for_n_takes_n_slots_in_arrival_order() -> None:
    cap = Capacity(4, 1.0)
    assert cap.reserve(3, 0.0) == (0.0, 3)
    assert cap.reserve(2, 0.0) == (1.0, 2)  # needs two slots: waits for the first request
    assert cap.reserve(1, 0.0) == (1.0, 3)  # arrival order: never ahead of the one before
    assert cap.reserve(9, 0.0) == (2.0, 4)  # more than the server has: all of it


def test_faults_follow_the_rates_and_a_retry_can_succeed() -> None:
    always = FaultModel(Rule("", ["ok"], error_rate=1.0))
    assert always.outcome(always.default, "p", 1, 1) == "error"
    half = FaultModel(Rule("", ["ok"]))
    flaky = Rule("", ["ok"], rate_429=0.5)
    outcomes = [half.outcome(flaky, "same prompt", 7, 1) for _ in range(40)]
    assert {"429", "ok"} == set(outcomes)  # the same request, sent again, meets other luck
    again = FaultModel(Rule("", ["ok"]))
    assert [again.outcome(flaky, "same prompt", 7, 1) for _ in range(40)] == outcomes
