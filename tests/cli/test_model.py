"""``ilab model process-data``: a summary table, reuse on re-run, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from instructlab.cli.main import cli
from train.tiny import CHATML, write_model_dir


def test_process_data_prints_a_summary_and_reuses(tmp_path: Path) -> None:
    model = write_model_dir(tmp_path / "m", "byte_level", CHATML, eos="<|im_end|>")
    data = tmp_path / "train.jsonl"
    ok = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    data.write_text(json.dumps(ok) + "\n" + json.dumps({"messages": []}) + "\n")
    args = [
        "model",
        "process-data",
        "--data-path",
        str(data),
        "--model-path",
        str(model),
        "--output-dir",
        str(tmp_path / "out"),
        "--max-seq-len",
        "512",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "kept" in result.output
    assert "dropped: invalid record" in result.output
    assert f"{data}:2" in result.output
    assert (tmp_path / "out" / "data.parquet").is_file()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "reused" in again.output


def test_process_data_bad_model_path_is_one_clean_message(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text("{}\n")
    result = CliRunner().invoke(
        cli,
        ["model", "process-data", "--data-path", str(data), "--model-path", str(tmp_path / "x")],
    )
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert "Traceback" not in result.output
