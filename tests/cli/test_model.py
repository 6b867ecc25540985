"""``ilab model process-data`` (a summary table, reuse on re-run, clean errors) and ``ilab
model remove`` (asks first)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_model_remove_asks_first_unless_told_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILAB_CACHE_DIR", str(tmp_path / "cache"))
    models = tmp_path / "cache" / "models"
    models.mkdir(parents=True)
    (models / "a.gguf").write_bytes(b"GGUF")
    kept = CliRunner().invoke(cli, ["model", "remove", "a.gguf"], input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.output
    assert f"Delete {models / 'a.gguf'}?" in kept.output
    assert (models / "a.gguf").is_file()
    removed = CliRunner().invoke(cli, ["model", "remove", "a.gguf"], input="y\n")
    assert removed.exit_code == 0, removed.output
    assert not (models / "a.gguf").exists()
    # The SDK asks the same question through `confirm`: a no deletes nothing.
    (models / "b.gguf").write_bytes(b"GGUF")
    from instructlab.core import Model

    asked: list[Path] = []
    assert Model().remove("b.gguf", confirm=lambda p: asked.append(p) is not None) is None
    assert asked == [models / "b.gguf"] and (models / "b.gguf").is_file()
