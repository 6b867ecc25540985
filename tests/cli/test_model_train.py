"""``ilab model train`` end to end: data from ``ilab data generate`` (against the mock teacher
over real HTTP), a tiny student, a checkpoint that the transformers backend serves; the same run
detached, listed by ``ilab process list``; InstructLab's options mapped with a warning."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.system import jobs
from instructlab.testing import Call, MockOpenAI, Rule
from train.tiny import write_tiny_model


def _reply(call: Call) -> str:
    tag = hashlib.blake2b(f"{call.prompt}|{call.seed}|{call.choice}".encode(), digest_size=4)
    return f"Question: question {tag.hexdigest()}?\n\nAnswer: answer {tag.hexdigest()}."


@pytest.fixture
def generated(taxonomy: Path, tmp_path: Path) -> Path:
    """The skills mix of a simple-pipeline run against the mock teacher."""
    out = tmp_path / "generated"
    with MockOpenAI([Rule("", _reply)]) as server:
        result = CliRunner().invoke(
            cli,
            [
                "data", "generate", "--taxonomy-path", str(taxonomy), "--output-dir", str(out),
                "--endpoint-url", server.base_url, "--pipeline", "simple",
                "--sdg-scale-factor", "2",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    (mix,) = out.glob("skills_train_msgs_*.jsonl")
    return mix


def _train_args(data: Path, model: Path, out: Path, *extra: str) -> list[str]:
    return [
        "model", "train", "--data-path", str(data), "--model-path", str(model),
        "--ckpt-output-dir", str(out / "ckpt"), "--data-output-dir", str(out / "prep"),
        "--num-epochs", "1", "--effective-batch-size", "16", "--max-seq-len", "2048",
        "--max-batch-len", "4096", "--learning-rate", "1e-3", "--warmup-steps", "0", *extra,
    ]  # fmt: skip


def test_train_on_generated_data_then_serve_the_checkpoint(generated: Path, tmp_path: Path) -> None:
    from instructlab.llm.running import running_server

    model = write_tiny_model(tmp_path / "student")
    out = tmp_path / "run"
    # The output folder of `ilab data generate`: its newest skills mix is what trains.
    result = CliRunner().invoke(cli, _train_args(generated.parent, model, out, "--iters", "3"))
    assert result.exit_code == 0, result.output
    assert f"training on its newest mix, {generated.name}" in result.output
    assert "--iters 3 is read as --max-steps 3" in result.output
    final = out / "ckpt" / "hf_format" / "samples_48"
    assert f"Final model: {final}" in result.output
    info = json.loads((final / "instructlab_checkpoint.json").read_text())
    assert info["step"] == 3 and info["base_model"]["path"] == str(model.resolve())
    # Every sample keeps its leaf from the SDG metadata.
    assert "compositional_skills_linguistics_synonyms" in info["leaves"]
    with running_server(final, backend="transformers") as server:
        body = json.dumps(
            {
                "model": server.model_id,
                "messages": [{"role": "user", "content": "Hello"}],
                "max_tokens": 4,
                "temperature": 0,
            }
        ).encode()
        request = urllib.request.Request(
            f"{server.base_url}/chat/completions",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
    assert answer["choices"][0]["finish_reason"] in ("length", "stop")
    assert answer["usage"]["completion_tokens"] >= 1


def test_detached_training_is_listed_and_finishes(generated: Path, tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "student", "qwen2")
    out = tmp_path / "run"
    result = CliRunner().invoke(
        cli, [*_train_args(generated, model, out, "--max-steps", "2"), "-dt"]
    )
    assert result.exit_code == 0, result.output
    assert "Started training in the background" in result.output
    listed = CliRunner().invoke(cli, ["process", "list"])
    assert listed.exit_code == 0 and "train" in listed.output
    (record,) = [r for r in jobs.list_processes() if r.kind == "train"]
    deadline = time.monotonic() + 240
    while jobs.get(record.id).state in ("starting", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
    done = jobs.get(record.id)
    log = Path(done.log_file).read_text(encoding="utf-8")
    assert done.state == "done", log
    assert "Final model:" in log and "step 2/" in log
    assert (out / "ckpt" / "hf_format" / "samples_32" / "model.safetensors").is_file()
