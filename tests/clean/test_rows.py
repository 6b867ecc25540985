"""Loading rows from files and datasets, whole cleaning steps, and their reports."""

from __future__ import annotations

import json

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from instructlab.clean import decontaminate_rows, dedup_rows, filter_rows, load_rows
from instructlab.errors import FileError, UsageError

ROWS = [
    {"question": "What is 2+2?", "answer": "4"},
    {"question": "what is 2+2?", "answer": "4"},
    {"question": "Name a colour.", "answer": ""},
    {"question": "Name a fruit.", "answer": "Apple."},
]


def _jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_jsonl_dedup_writes_lines_verbatim_and_a_report(tmp_path) -> None:
    src = tmp_path / "train.jsonl"
    _jsonl(src, ROWS)
    out = tmp_path / "out" / "train.dedup.jsonl"
    result = dedup_rows(src, output=out)
    assert result.report.dropped == {"exact_duplicate": 1}
    assert result.report.examples["exact_duplicate"][0]["duplicate_of"] == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [json.dumps(r) for i, r in enumerate(ROWS) if i != 1]
    report = json.loads((tmp_path / "out" / "train.dedup.report.json").read_text())
    assert report["kept_rows"] == 3 and report["input_rows"] == 4


def test_parquet_filter_and_table_round_trip(tmp_path) -> None:
    src = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), src)
    result = filter_rows(src, output=tmp_path / "kept.parquet")
    assert result.report.dropped == {"empty": 1}
    assert result.report.settings["question_column"] == "question"
    assert pq.read_table(tmp_path / "kept.parquet").num_rows == 3
    assert result.kept.num_rows == 3


def test_messages_rows_compare_user_and_assistant_without_the_document() -> None:
    doc = "Bees and butterflies visit flowers. " * 10
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"{doc}\nWhat visits flowers in spring time?"},
                {"role": "assistant", "content": "Bees do."},
            ],
            "document": doc,
        },
        {
            "messages": [
                {"role": "user", "content": f"{doc}\nWhy is the sky blue?"},
                {"role": "assistant", "content": "Scattering."},
            ],
            "document": doc,
        },
    ]
    assert load_rows(rows).qa_columns() == ["user", "assistant"]
    # The shared document must not make the rows contaminated by a reference quoting it.
    result = decontaminate_rows(rows, [doc], ngram=5)
    assert result.keep.tolist() == [True, True]
    result = decontaminate_rows(rows, ["Why is the sky blue"], ngram=13)
    assert result.keep.tolist() == [True, False]


def test_datasets_input_returns_a_dataset() -> None:
    ds = datasets.Dataset.from_list(ROWS).select([3, 0, 1])
    result = dedup_rows(ds, ["question", "answer"])
    assert result.kept["answer"] == ["Apple.", "4"]


def test_bad_files_and_columns(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(FileError, match=r"bad.jsonl:2"):
        load_rows(bad)
    with pytest.raises(UsageError, match="no column 'nope'"):
        dedup_rows(ROWS, ["nope"])
    with pytest.raises(UsageError, match="threshold"):
        dedup_rows(ROWS, threshold=0)
    with pytest.raises(UsageError, match="cannot tell which columns"):
        dedup_rows([{"x": "1"}])


def test_near_dedup_step_reports_stats() -> None:
    words = " ".join(f"w{i}" for i in range(60))
    rows = [{"text": words}, {"text": words + " extra"}, {"text": "something else entirely"}]
    result = dedup_rows(rows, threshold=0.8)
    assert result.report.dropped == {"near_duplicate": 1}
    assert result.report.stats["verified_pairs"] == 1
