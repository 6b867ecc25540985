"""``ilab model convert`` end to end: a tiny model trained by ``ilab model train``, its newest
checkpoint converted to GGUF f16 and Q4_K_M, the Q4_K_M file served by llama.cpp and chatted
with; a GGUF that exists already is refused clearly. With no model named, ``ilab model chat``
uses the newest checkpoint and says so; ``ilab model list`` shows the checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from instructlab.cli.main import cli
from train.tiny import write_conversations, write_tiny_model


def _ilab(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_train_convert_serve_chat(tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "model", "llama")
    data = write_conversations(tmp_path / "train.jsonl", copies=2)
    _ilab(
        "model", "train", "--data-path", str(data), "--model-path", str(model),
        "--num-epochs", "1", "--effective-batch-size", "6", "--max-seq-len", "512",
        "--max-batch-len", "1024", "--threads", "1",
    )  # fmt: skip
    # No --model-dir: the newest checkpoint under train.ckpt_output_dir (in the test's HOME).
    output = _ilab("model", "convert", "--threads", "1")
    checkpoints = sorted((tmp_path / "home").glob("**/hf_format/samples_*"))
    newest = checkpoints[-1]
    assert f"GGUF f16: {newest / 'pytorch_model.gguf'}" in output
    q4 = newest / "pytorch_model-Q4_K_M.gguf"
    assert f"GGUF Q4_K_M: {q4}" in output

    result = CliRunner().invoke(
        cli, ["model", "convert", "--model-dir", str(newest), "--skip-quantize"]
    )
    assert result.exit_code == 1
    assert f"{newest / 'pytorch_model.gguf'}: exists already; --force replaces it" in result.output

    reply = _ilab("model", "chat", "--model", str(q4), "-qq", "--max-tokens", "8", "Hello")
    assert reply.strip()

    listed = json.loads(_ilab("model", "list", "--format", "json"))
    trained = [row for row in listed if row["checkpoint"]]
    assert [row["path"] for row in trained] == [str(p) for p in checkpoints]
    assert trained[-1]["base_model"] == str(model) and trained[-1]["data"] == "train.jsonl"
    assert trained[-1]["samples"] == int(newest.name.removeprefix("samples_"))

    newest_reply = _ilab("model", "chat", "-qq", "--max-tokens", "4", "Hello")
    assert f"Using the newest trained checkpoint, {newest}" in newest_reply
