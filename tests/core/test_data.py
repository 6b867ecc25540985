"""The SDK's cleaning methods: `Data.dedup`, `Data.filter`, `Data.decontaminate`."""

from __future__ import annotations

import pyarrow as pa

from instructlab.config import Config as ConfigModel
from instructlab.core import Data

ROWS = [
    {"question": "What is 2+2?", "answer": "4"},
    {"question": "what is 2+2?", "answer": "4"},
    {"question": "Echo me please now", "answer": "echo me please now"},
]


def test_methods_take_rows_and_return_kept_rows_with_a_report(tmp_path) -> None:
    data = Data(configuration=ConfigModel())
    deduped = data.dedup(ROWS)
    assert deduped.kept == [ROWS[0], ROWS[2]]
    assert deduped.report.dropped == {"exact_duplicate": 1}
    filtered = data.filter(pa.Table.from_pylist(ROWS))
    assert filtered.report.dropped == {"echoes_question": 1}
    assert filtered.kept.num_rows == 2
    clean = data.decontaminate(ROWS, ["What is 2 + 2"], output=tmp_path / "kept.jsonl")
    assert clean.report.kept_rows == 1
    assert (tmp_path / "kept.report.json").is_file()
