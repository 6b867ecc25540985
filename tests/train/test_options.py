"""Where each training setting comes from: flag, then train.additional_args, then the train
section, then the default; the configuration shows the value in effect and warns on conflict."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.config import Config, parse_config
from instructlab.config.model import Train
from instructlab.errors import UsageError
from instructlab.train.options import LoraOptions, TrainOptions, options_from_config

INSTRUCTLAB_TRAIN = b"""
version: 1.0.0
train:
  learning_rate: 2.0e-05
  lora_alpha: 32
  additional_args:
    learning_rate: 1e-4
    warmup_steps: 3
    random_seed: 7
    lora_alpha: 16
    lora_target_modules: [q_proj, v_proj]
    use_dolomite: false
"""


def test_additional_args_win_and_the_conflict_is_reported() -> None:
    loaded = parse_config(INSTRUCTLAB_TRAIN, "config.yaml")
    train = loaded.config.train
    assert train.learning_rate == pytest.approx(1e-4)  # the value in effect
    assert train.warmup_steps == 3 and train.lora_alpha == 16
    conflicts = [str(w) for w in loaded.warnings if "additional_args" in str(w)]
    assert len(conflicts) == 2  # learning_rate and lora_alpha differ; warmup_steps is not set twice
    assert any("config.yaml:4" in c and "train.learning_rate" in c for c in conflicts)
    options = options_from_config(train, lora_rank=4)
    assert options.learning_rate == pytest.approx(1e-4) and options.seed == 7
    assert options.lora == LoraOptions(rank=4, alpha=16.0, target_modules=("q_proj", "v_proj"))
    # A flag wins over both.
    assert options_from_config(train, learning_rate=3e-4).learning_rate == pytest.approx(3e-4)


def test_config_show_prints_the_value_in_effect(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(INSTRUCTLAB_TRAIN)
    result = CliRunner().invoke(
        cli, ["--config", str(path), "config", "show", "-k", "train.learning_rate"]
    )
    assert result.exit_code == 0, result.output
    assert "0.0001" in result.output
    assert "additional_args value is in effect" in result.output


def test_a_bad_additional_value_is_a_config_problem() -> None:
    from instructlab.errors import ConfigError

    with pytest.raises(ConfigError, match=r"additional_args\.learning_rate must be a number"):
        parse_config(b"train:\n  additional_args:\n    learning_rate: fast\n", "c.yaml")


def test_pipelines_choose_the_recipe() -> None:
    section = Config().train
    assert options_from_config(section, pipeline="simple").lora == LoraOptions(rank=8, alpha=32.0)
    assert options_from_config(section, pipeline="full").lora is None
    assert options_from_config(section, pipeline="accelerated", lora_rank=16).lora.rank == 16  # type: ignore[union-attr]
    defaults = options_from_config(Train())
    assert defaults.notes["pipeline"] == "full" and defaults.learning_rate == pytest.approx(2e-5)


def test_options_round_trip_and_name_the_field_at_fault() -> None:
    options = TrainOptions(data_path="d.jsonl", lora=LoraOptions(target_modules=("q_proj",)))
    assert TrainOptions.from_json(options.to_json()) == options
    with pytest.raises(UsageError, match="num_epochs: must be at least 1") as caught:
        TrainOptions(num_epochs=0)
    assert caught.value.param == "num_epochs"
    with pytest.raises(UsageError, match="lora_dropout"):
        TrainOptions(lora=LoraOptions(dropout=1.0))
    with pytest.raises(UsageError, match="unknown keys bogus"):
        TrainOptions.from_dict({"bogus": 1})
    # What decides the weights is what resuming compares; where files go is not part of it.
    moved = options.replace(ckpt_output_dir="elsewhere", threads=3, max_steps=5)
    assert moved.trajectory_key() == options.trajectory_key()
    assert options.replace(seed=1).trajectory_key() != options.trajectory_key()
