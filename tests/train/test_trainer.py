"""The trainer on tiny models: checkpoints, resuming bit for bit, Ctrl-C and SIGTERM, LoRA."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from instructlab.errors import UsageError
from instructlab.train import trainer as trainer_module
from instructlab.train.checkpoint import CHECKPOINT_INFO
from instructlab.train.interrupt import TrainingInterrupted
from instructlab.train.options import LoraOptions, TrainOptions
from instructlab.train.trainer import train
from train.tiny import CONVERSATIONS, write_tiny_model

LEAVES = (
    "compositional_skills_writing_freeform_poems",
    "compositional_skills_linguistics_synonyms",
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny llama-style model folder and 12 records from two leaves (SDG metadata)."""
    root = tmp_path_factory.mktemp("trainer")
    write_tiny_model(root / "model", "llama")
    lines = []
    for copy in range(4):
        for index, conversation in enumerate(CONVERSATIONS):
            leaf = LEAVES[index % 2]
            metadata = json.dumps({"leaf_node_path": leaf, "copy": copy})
            lines.append(json.dumps({"messages": conversation, "metadata": metadata}))
    (root / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _options(world: Path, out: Path, **changes) -> TrainOptions:  # type: ignore[no-untyped-def]
    base = TrainOptions(
        model_path=str(world / "model"),
        data_path=str(world / "data.jsonl"),
        ckpt_output_dir=str(out / "ckpt"),
        data_output_dir=str(out / "prep"),
        num_epochs=2,
        effective_batch_size=4,
        max_batch_len=120,  # several micro-batches per step
        max_seq_len=500,
        learning_rate=1e-3,
        warmup_steps=1,
        threads=1,
    )
    return base.replace(**changes)


def _weights(checkpoint: Path) -> dict[str, torch.Tensor]:
    return load_file(str(checkpoint / "model.safetensors"))


def _assert_bit_identical(a: Path, b: Path) -> None:
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), name


def _losses(ckpt: Path) -> list[float]:
    lines = (ckpt / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["total_loss"] for line in lines]


def test_run_writes_loadable_checkpoints_metrics_and_leaf_counts(
    world: Path, tmp_path: Path
) -> None:
    import transformers

    options = _options(world, tmp_path, save_samples=5, keep_last_checkpoints=2)
    result = train(options)
    assert result.completed and result.steps == 6 and result.samples_seen == 24
    ckpt = Path(options.ckpt_output_dir)
    # save_samples=5 rounds up to step boundaries (4 samples a step): 8, 12, 16, 20, 24; the
    # epoch ends (12, 24) coincide; the newest two are kept.
    names = sorted(p.name for p in (ckpt / "hf_format").iterdir())
    assert names == ["samples_20", "samples_24"]
    assert result.final_model == ckpt / "hf_format" / "samples_24"
    final = result.final_model
    info = json.loads((final / CHECKPOINT_INFO).read_text())
    assert info["base_model"]["path"] == str((world / "model").resolve())
    assert info["samples_seen"] == 24 and info["step"] == 6 and info["epoch"] == 2.0
    assert set(info["leaves"]) == set(LEAVES)
    assert sum(v["samples"] for v in info["leaves"].values()) == 12
    assert info["leaves"][LEAVES[0]]["samples"] == 8
    assert sum(v["tokens"] for v in info["leaves"].values()) == info["data"]["tokens"]
    config = json.loads((final / "config.json").read_text())
    assert "quantization_config" not in config and config["use_cache"] is True
    model = transformers.AutoModelForCausalLM.from_pretrained(str(final))
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(final))
    assert tokenizer.chat_template and model.config.model_type == "llama"
    rows = [json.loads(line) for line in (ckpt / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {r["epoch"] for r in rows} == {0, 1}
    first = rows[0]
    for field in ("overall_throughput", "lr", "num_loss_counted_tokens", "total_loss"):
        assert field in first
    assert first["lr"] == 0.0 and rows[1]["lr"] == pytest.approx(1e-3)
    assert sum(r["batch_size"] for r in rows) == 24
    assert (ckpt / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Done: the same call again has nothing to do; other settings are refused by name.
    again = train(options)
    assert again.already_complete and again.final_model == final
    with pytest.raises(UsageError, match="learning_rate"):
        train(options.replace(learning_rate=5e-4))
    fresh = train(options.replace(learning_rate=5e-4, resume=False, num_epochs=1))
    assert fresh.completed and fresh.steps == 3


def test_resume_after_ctrl_c_mid_step_is_bit_identical(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LoRA with dropout: the random-number state must come back too.
    lora = LoraOptions(rank=4, alpha=8, dropout=0.2)
    whole = train(_options(world, tmp_path / "whole", lora=lora))
    options = _options(world, tmp_path / "parts", lora=lora)
    calls = {"n": 0}
    real = trainer_module.summed_loss

    def interrupting(model, batch):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 9:  # inside step 3 (two or more micro-batches a step)
            os.kill(os.getpid(), signal.SIGINT)
        return real(model, batch)

    monkeypatch.setattr(trainer_module, "summed_loss", interrupting)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(options)
    monkeypatch.setattr(trainer_module, "summed_loss", real)
    saved = stopped.value.result
    assert saved.interrupted and 1 <= saved.steps < whole.steps
    state = json.loads((Path(options.ckpt_output_dir) / "state" / "latest.json").read_text())
    assert state["state"] == f"step_{saved.steps}"
    resumed = train(options)
    assert resumed.completed and resumed.resumed_from_step == saved.steps
    assert resumed.final_model is not None and whole.final_model is not None
    _assert_bit_identical(whole.final_model, resumed.final_model)
    assert _losses(Path(options.ckpt_output_dir)) == _losses(whole.output_dir)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_saves_state_exits_130_and_the_run_resumes(
    world: Path, tmp_path: Path, sig: int
) -> None:
    # A long run (the schedule of 200 epochs); both halves stop at the same step.
    options = _options(world, tmp_path / "run", num_epochs=200)
    options_file = tmp_path / "options.json"
    options_file.write_text(options.to_json(), encoding="utf-8")
    metrics = Path(options.ckpt_output_dir) / "metrics.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-m", "instructlab.train", "--options", str(options_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if metrics.is_file() and len(metrics.read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
        child.send_signal(sig)
        output, _ = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, output.decode()
    state = json.loads((Path(options.ckpt_output_dir) / "state" / "latest.json").read_text())
    stopped_at = int(state["state"].removeprefix("step_"))
    assert stopped_at >= 2
    assert not list((Path(options.ckpt_output_dir) / "state").glob(".*partial*"))
    stop = stopped_at + 3
    resumed = train(options.replace(max_steps=stop))
    whole = train(_options(world, tmp_path / "whole", num_epochs=200, max_steps=stop))
    assert resumed.resumed_from_step == stopped_at and resumed.steps == whole.steps == stop
    assert resumed.final_model is not None and whole.final_model is not None
    _assert_bit_identical(whole.final_model, resumed.final_model)


def test_lora_checkpoint_is_the_merged_model(world: Path, tmp_path: Path) -> None:
    import peft
    import transformers

    lora = LoraOptions(
        rank=4, alpha=16, dropout=0.0, target_modules=("q_proj", "v_proj"), save_adapter=True
    )
    options = _options(world, tmp_path, lora=lora)
    result = train(options.replace(num_epochs=1))
    final = result.final_model
    assert final is not None and (final / "adapter" / "adapter_config.json").is_file()
    merged = transformers.AutoModelForCausalLM.from_pretrained(str(final)).eval()

    def base():  # type: ignore[no-untyped-def]
        return transformers.AutoModelForCausalLM.from_pretrained(str(world / "model")).eval()

    reference = peft.PeftModel.from_pretrained(base(), str(final / "adapter")).merge_and_unload()
    ids = torch.tensor([[5, 17, 42, 99, 3]])
    with torch.no_grad():
        torch.testing.assert_close(merged(ids).logits, reference.eval()(ids).logits)
        assert not torch.equal(merged(ids).logits, base()(ids).logits)
    info = json.loads((final / CHECKPOINT_INFO).read_text())
    assert info["recipe"] == "lora" and info["merged"] is True


def test_lora_target_that_matches_nothing_is_refused(world: Path, tmp_path: Path) -> None:
    lora = LoraOptions(rank=4, target_modules=("q_proj", "nonsense_proj"))
    with pytest.raises(UsageError, match="'nonsense_proj' matches no module") as caught:
        train(_options(world, tmp_path, lora=lora))
    assert "q_proj" in str(caught.value) and caught.value.param == "lora_target_modules"
    assert not (tmp_path / "ckpt" / "hf_format").exists()


@pytest.mark.parametrize("rank", [10**6, 99999999999999999999])
def test_a_lora_rank_above_every_layer_is_refused_before_allocating(
    world: Path, tmp_path: Path, rank: int
) -> None:
    with pytest.raises(UsageError, match="smallest dimension") as caught:
        train(_options(world, tmp_path, lora=LoraOptions(rank=rank)))
    assert caught.value.param == "lora_rank"
    assert not (tmp_path / "ckpt" / "hf_format").exists()


def test_running_out_of_memory_names_the_knobs(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from instructlab.errors import InstructLabError
    from instructlab.train.view import LiveView

    def no_memory(model, batch):  # type: ignore[no-untyped-def]
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1 GB")

    monkeypatch.setattr(trainer_module, "summed_loss", no_memory)
    with pytest.raises(InstructLabError, match="out of memory") as caught:
        train(_options(world, tmp_path), LiveView())
    for knob in ("--max-batch-len (now 120)", "--lora-rank", "gradient"):
        assert knob in str(caught.value)


def test_the_entry_point_reports_bad_options_with_exit_2(tmp_path: Path) -> None:
    from instructlab.train.__main__ import main

    bad = tmp_path / "options.json"
    bad.write_text('{"num_epochs": 0}', encoding="utf-8")
    assert main(["--options", str(bad)]) == 2
    bad.write_text("not json", encoding="utf-8")
    assert main(["--options", str(bad)]) == 2
    assert main(["--options", str(tmp_path / "missing.json")]) == 1
