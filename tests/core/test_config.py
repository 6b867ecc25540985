from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.config import paths
from instructlab.core import Config
from instructlab.errors import ConfigError, UsageError
from instructlab.system.hardware import Gpu, Hardware

CPU = Hardware("Test CPU", 2, 24.0)


def test_init_writes_a_valid_config_and_creates_directories() -> None:
    result = Config().init(hardware=CPU)
    assert result.config_file == paths.config_file()
    assert result.profile == "cpu"
    for directory in result.directories:
        assert directory.is_dir()
    loaded = Config().check()
    assert loaded.warnings == []
    assert loaded.config.metadata.cpu_info == "Test CPU"
    assert loaded.config.train.device == "cpu"


def test_init_creates_the_taxonomy_from_the_example_once(tmp_path: Path) -> None:
    first = Config().init(hardware=CPU)
    assert first.taxonomy_created == paths.taxonomy_dir()
    assert (paths.taxonomy_dir() / ".git").is_dir()
    assert Config().init(hardware=CPU).taxonomy_created is None  # one is there: kept
    given = tmp_path / "tax"
    given.mkdir()
    skipped = Config().init(hardware=CPU, taxonomy_path=given, create_taxonomy=False)
    assert skipped.taxonomy_created is None and not any(given.iterdir())


def test_init_respects_overwrite_false(tmp_path: Path) -> None:
    sdk = Config(tmp_path / "c.yaml")
    sdk.init(hardware=CPU)
    with pytest.raises(UsageError, match="exists"):
        sdk.init(hardware=CPU, overwrite=False)


def test_init_with_paths_and_a_gpu_machine(tmp_path: Path) -> None:
    hw = Hardware("EPYC", 32, 256.0, [Gpu("NVIDIA", "NVIDIA A100", 80.0)] * 2)
    result = Config().init(hardware=hw, taxonomy_path=tmp_path / "tax", model_path=tmp_path / "m")
    cfg = Config().load().config
    assert result.profile == "gpu-x2"
    assert cfg.train.nproc_per_node == 2
    assert cfg.generate.taxonomy_path == str((tmp_path / "tax").resolve())
    assert cfg.serve.model_path == str((tmp_path / "m").resolve())


def test_init_with_a_profile_file(tmp_path: Path) -> None:
    profile = tmp_path / "big-box.yaml"
    profile.write_text("train:\n  num_epochs: 3\n  effctive_batch_size: 9\n")
    result = Config().init(hardware=CPU, profile=profile)
    assert result.profile == "big-box"
    assert [w.key for w in result.warnings] == ["train.effctive_batch_size"]
    cfg = Config().load().config
    assert cfg.train.num_epochs == 3
    assert cfg.metadata.cpu_info == "Test CPU"


def test_init_with_an_invalid_profile_names_the_profile_line(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text("train:\n  num_epochs: -1\n")
    with pytest.raises(ConfigError) as caught:
        Config().init(hardware=CPU, profile=profile)
    assert str(caught.value.problems[0]).startswith(f"{profile}:2:15 [train.num_epochs]")
    assert not paths.config_file().exists()


def test_show_whole_and_one_key() -> None:
    sdk = Config()
    assert "taxonomy_base: origin/main" in sdk.show()
    assert sdk.show("generate.taxonomy_base") == "origin/main\n"
    assert sdk.get("serve.llama_cpp.max_ctx_size") == 4096
    with pytest.raises(UsageError, match=r"'generate\.nope' is not a configuration key"):
        sdk.show("generate.nope")
