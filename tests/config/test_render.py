from __future__ import annotations

from pathlib import Path

import yaml

from instructlab.config import Config, load_config, render_config, render_value, write_config
from instructlab.config.model import ModelEntry


def test_rendered_config_round_trips(tmp_path: Path) -> None:
    cfg = Config.model_validate(
        {
            "generate": {"pipeline": "full", "teacher": {"vllm": {"vllm_args": ["--x", "1"]}}},
            "train": {"additional_args": {"warmup": 3}},
        }
    )
    cfg.models.append(ModelEntry(id="t", path="/m", family="granite"))
    file = tmp_path / "config.yaml"
    write_config(cfg, file)
    loaded = load_config(file)
    assert loaded.config == cfg
    assert loaded.warnings == []


def test_every_key_has_a_comment_above_it() -> None:
    lines = render_config(Config()).splitlines()
    keys = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    assert keys
    for index in keys:
        assert lines[index - 1].lstrip().startswith("#"), lines[index]


def test_render_without_comments_is_plain_yaml() -> None:
    text = render_config(Config(), comments=False)
    assert "#" not in text
    assert yaml.safe_load(text)["generate"]["taxonomy_base"] == "origin/main"


def test_render_value_for_scalars_and_sections() -> None:
    assert render_value("full") == "full\n"
    assert render_value(None) == "null\n"
    section = render_value(Config().serve.llama_cpp)
    assert "gpu_layers: -1" in section
    assert "# Context size in tokens." in section
