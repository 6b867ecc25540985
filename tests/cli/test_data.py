"""``ilab data dedup|filter|decontaminate`` on real files: kept rows, report, exit codes."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from instructlab.cli.main import cli

ROWS = [
    {"question": "What is 2+2?", "answer": "4"},
    {"question": "What is 2+2?", "answer": "4"},
    {"question": "Name a colour.", "answer": ""},
    {"question": "Name a fruit.", "answer": "Apple."},
]


def _write(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_dedup_writes_kept_rows_and_report_beside_the_input(tmp_path) -> None:
    src = tmp_path / "train.jsonl"
    _write(src, ROWS)
    result = CliRunner().invoke(cli, ["data", "dedup", str(src)])
    assert result.exit_code == 0, result.output
    assert "4 rows in, 3 kept, 1 dropped" in result.output
    assert "exact_duplicate" in result.output
    kept = (tmp_path / "train.dedup.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(kept) == 3
    report = json.loads((tmp_path / "train.dedup.report.json").read_text(encoding="utf-8"))
    assert report["dropped"] == {"exact_duplicate": 1}


def test_filter_with_overrides_on_parquet(tmp_path) -> None:
    src = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), src)
    out = tmp_path / "clean.parquet"
    args = ["data", "filter", str(src), "-o", str(out), "--set", "min_chars=2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "empty" in result.output and "too_few_chars" in result.output
    assert pq.read_table(out).column("answer").to_pylist() == ["Apple."]
    bad = CliRunner().invoke(cli, ["data", "filter", str(src), "--set", "min_chars"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output


def test_decontaminate_against_a_reference_file(tmp_path) -> None:
    src = tmp_path / "train.jsonl"
    _write(src, ROWS)
    ref = tmp_path / "eval.jsonl"
    _write(ref, [{"question": "Name a fruit", "answer": "Pear."}])
    result = CliRunner().invoke(cli, ["data", "decontaminate", str(src), "--reference", str(ref)])
    assert result.exit_code == 0, result.output
    assert "contaminated" in result.output
    report = json.loads((tmp_path / "train.decontaminate.report.json").read_text())
    assert report["examples"]["contaminated"][0]["row"] == 3


def test_bad_input_is_one_message_and_an_exit_code(tmp_path) -> None:
    src = tmp_path / "broken.jsonl"
    src.write_text("{not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["data", "dedup", str(src)])
    assert result.exit_code == 1
    assert f"{src}:1: not valid JSON" in result.output
    assert "Traceback" not in result.output
    other = tmp_path / "rows.jsonl"
    _write(other, [{"x": "1"}])
    result = CliRunner().invoke(cli, ["data", "dedup", str(other), "--column", "nope"])
    assert result.exit_code == 2
    assert "no column 'nope'" in result.output
