from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.config import Config, load_config, parse_config, paths
from instructlab.errors import ConfigError, FileError, Location

# An InstructLab 0.26-style file: sections, nested teacher, models list, and keys we do not use.
INSTRUCTLAB_FILE = b"""\
version: 1.0.0
chat:
  model: ~/.cache/instructlab/models/granite-7b-lab-Q4_K_M.gguf
  vi_mode: false
generate:
  pipeline: full
  taxonomy_base: origin/main
  sdg_scale_factor: 30
  num_cpus: 10
  teacher:
    model_path: /nonexistent/mistral.gguf
    llama_cpp:
      gpu_layers: -1
      max_ctx_size: 4096
    vllm:
      vllm_args: ["--tensor-parallel-size", "2"]
serve:
  host_port: 127.0.0.1:8000
train:
  effective_batch_size: 128
  additional_args:
    learning_rate: 2.0e-05
models:
  - id: teacher
    family: mixtral
    path: /models/mixtral
general:
  log_level: debug
"""


def test_reads_an_instructlab_file_with_the_same_keys() -> None:
    loaded = parse_config(INSTRUCTLAB_FILE, "config.yaml")
    cfg = loaded.config
    assert cfg.generate.pipeline == "full"
    assert cfg.generate.sdg_scale_factor == 30
    assert cfg.generate.teacher.vllm.vllm_args == ["--tensor-parallel-size", "2"]
    assert cfg.train.additional_args == {"learning_rate": 2e-05}
    assert cfg.models[0].id == "teacher"
    assert cfg.general.log_level == "DEBUG"


def test_model_paths_that_do_not_exist_are_warnings_naming_the_key() -> None:
    loaded = parse_config(INSTRUCTLAB_FILE, "config.yaml")
    keys = {w.key: w for w in loaded.warnings}
    assert "generate.teacher.model_path" in keys
    assert keys["generate.teacher.model_path"].location == Location("config.yaml", 11, 17)
    assert "does not exist" in keys["generate.teacher.model_path"].message


def test_unknown_keys_warn_with_a_suggestion_and_are_dropped() -> None:
    src = b"version: 1.0.0\ngenerate:\n  pipline: full\n  frobnicate: 1\nsrve: {}\n"
    loaded = parse_config(src, "c.yaml")
    messages = [str(w) for w in loaded.warnings]
    assert messages == [
        "c.yaml:3:3 [generate.pipline] unknown key; did you mean 'pipeline'?",
        "c.yaml:4:3 [generate.frobnicate] unknown key; it is ignored",
        "c.yaml:5:1 [srve] unknown key; did you mean 'serve'?",
    ]
    assert loaded.config.generate.pipeline is None


def test_every_problem_is_reported_at_once_with_key_and_line() -> None:
    src = b"""\
version: 1.0.0
general:
  log_level: LOUD
train:
  num_epochs: zero
  lora_dropout: 2
models:
  - family: x
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(src, "bad.yaml")
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "bad.yaml:3:14 [general.log_level] 'LOUD' is not a log level; use one of DEBUG, INFO, "
        "WARNING, WARN, ERROR, CRITICAL, FATAL, NOTSET (got 'LOUD')",
        "bad.yaml:5:15 [train.num_epochs] input should be a valid integer, unable to parse string "
        "as an integer (got 'zero')",
        "bad.yaml:6:17 [train.lora_dropout] input should be less than 1 (got 2)",
        "bad.yaml:8:5 [models[0].id] required key is missing",
        "bad.yaml:8:5 [models[0].path] required key is missing",
    ]
    assert str(caught.value).startswith("bad.yaml has 5 problems:\n")


def test_yaml_syntax_error_is_a_config_error_with_its_location(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    file.write_text("generate:\n  pipeline: [full\n")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    (problem,) = caught.value.problems
    assert problem.location is not None and problem.location.file == str(file)
    assert problem.location.line is not None and problem.location.line >= 2


def test_a_newer_major_version_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"version 2.0.0 is not supported"):
        parse_config(b"version: 2.0.0\n", "c.yaml")


def test_missing_version_is_read_as_current_with_a_warning() -> None:
    loaded = parse_config(b"chat: {}\n", "c.yaml")
    assert [w.key for w in loaded.warnings] == ["version"]


def test_deprecated_num_instructions_warns() -> None:
    loaded = parse_config(b"version: 1.0.0\ngenerate:\n  num_instructions: 100\n", "c.yaml")
    assert any(w.key == "generate.num_instructions" for w in loaded.warnings)


def test_no_file_means_built_in_defaults() -> None:
    loaded = load_config()
    assert loaded.path is None
    assert loaded.config == Config()


def test_an_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="no such configuration file"):
        load_config(tmp_path / "absent.yaml")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match=r"expected a mapping of sections"):
        parse_config(b"- a\n- b\n", "c.yaml")


def test_default_paths_follow_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ILAB_CACHE_DIR", str(tmp_path / "mine"))
    assert paths.data_dir() == tmp_path / "data" / "instructlab"
    assert paths.cache_dir() == tmp_path / "mine"
    assert Config().generate.taxonomy_path == str(tmp_path / "data" / "instructlab" / "taxonomy")
