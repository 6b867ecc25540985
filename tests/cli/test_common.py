"""Output helpers every command shares."""

from __future__ import annotations

import pytest

from instructlab.cli._common import human_size


@pytest.mark.parametrize(
    ("num", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (5 * 1024**2, "5.0 MiB"),
        (3 * 1024**3, "3.0 GiB"),
        (2 * 1024**4, "2048.0 GiB"),
    ],
)
def test_human_size_counts_in_powers_of_1024(num: int, text: str) -> None:
    assert human_size(num) == text
