"""``ilab model test``: a tiny model before and after ``ilab model train``, both served through
transformers (fp32), both quantised to Q4_K_M, or both from GGUF files of one type through
llama.cpp; never one of each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.train.export import quantize_gguf, write_gguf
from train.tiny import write_conversations, write_tiny_model


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(base model folder, newest checkpoint folder)."""
    root = tmp_path_factory.mktemp("before_after")
    base = write_tiny_model(root / "base", "llama")
    data = write_conversations(root / "train.jsonl", copies=2)
    result = CliRunner().invoke(
        cli,
        [
            "model", "train", "--data-path", str(data), "--model-path", str(base),
            "--ckpt-output-dir", str(root / "ckpt"), "--data-output-dir", str(root / "prep"),
            "--num-epochs", "1", "--effective-batch-size", "6", "--learning-rate", "1e-2",
            "--max-seq-len", "512", "--max-batch-len", "1024", "--threads", "1",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (checkpoint,) = sorted((root / "ckpt" / "hf_format").glob("samples_*"))[-1:]
    return base, checkpoint


def _questions(path: Path) -> Path:
    rows = [
        {"system": "Be brief.", "user": "Hello! How can I help you today?", "assistant": "Hi."},
        {"messages": [{"role": "user", "content": "Synonyms of happy?"}]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_checkpoint_and_its_base_through_transformers(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    base, checkpoint = trained
    args = ["model", "test", "--model-dir", str(checkpoint), "--max-tokens", "6"]
    result = CliRunner().invoke(
        cli, [*args, "--test-file", str(_questions(tmp_path / "q.jsonl")), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert payload["backend"] == "transformers"
    assert payload["base_model"] == str(base)  # read from instructlab_checkpoint.json
    questions = [row["question"] for row in payload["rows"]]
    assert questions == ["Hello! How can I help you today?", "Synonyms of happy?"]
    # Greedy answers of random tiny models (possibly empty: an end-of-turn token first).
    assert all(isinstance(row["base"] + row["trained"], str) for row in payload["rows"])


def test_gguf_files_through_llama_cpp_and_mixed_kinds_refused(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    base, checkpoint = trained
    base_gguf = write_gguf(base, tmp_path / "base.gguf")
    trained_gguf = write_gguf(checkpoint, tmp_path / "trained.gguf")
    questions = str(_questions(tmp_path / "q.jsonl"))
    args = ["model", "test", "--model-dir", str(trained_gguf), "--test-file", questions]
    result = CliRunner().invoke(
        cli, [*args, "--base-model", str(base_gguf), "--max-tokens", "6", "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Served with llama-cpp" in result.output
    assert "Before:" in result.output and "After:" in result.output
    assert "Hello!" in result.output and "Synonyms" not in result.output

    mixed = CliRunner().invoke(cli, [*args, "--base-model", str(base)])
    assert mixed.exit_code == 2
    assert "--base-model" in mixed.output and "serve both the same way" in mixed.output

    q4 = quantize_gguf(trained_gguf, tmp_path / "trained-Q4_K_M.gguf", threads=1)
    args = ["model", "test", "--model-dir", str(q4), "--test-file", questions]
    unequal = CliRunner().invoke(cli, [*args, "--base-model", str(base_gguf)])
    assert unequal.exit_code == 2
    assert "is F16 but" in unequal.output and "is Q4_K_M" in unequal.output


def test_quantize_both(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, checkpoint = trained
    questions = str(_questions(tmp_path / "q.jsonl"))
    args = ["model", "test", "--model-dir", str(checkpoint), "--test-file", questions]
    result = CliRunner().invoke(
        cli, [*args, "--quantize", "--limit", "1", "--max-tokens", "4", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert (payload["backend"], payload["precision"]) == ("llama-cpp", "Q4_K_M")
    assert (checkpoint / "pytorch_model-Q4_K_M.gguf").is_file()
    cached = list(
        (tmp_path / "home").glob(".cache/instructlab/quantized/*/pytorch_model-Q4_K_M.gguf")
    )
    assert len(cached) == 1  # the base's, under the cache: its folder is not ours
