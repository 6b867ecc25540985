from __future__ import annotations

from instructlab.config import Config
from instructlab.config.profiles import merge, pick_profile
from instructlab.system.hardware import Gpu, Hardware


def test_cpu_machine_gets_the_cpu_profile() -> None:
    profile = pick_profile(Hardware("Xeon", 2, 24.0))
    assert profile.name == "cpu"
    assert profile.overrides["train"]["device"] == "cpu"
    assert profile.overrides["train"]["pipeline"] == "simple"


def test_gpus_set_processes_and_batch_budget() -> None:
    hw = Hardware("EPYC", 64, 512.0, [Gpu("NVIDIA", "NVIDIA H100", 80.0)] * 4)
    profile = pick_profile(hw)
    assert profile.name == "gpu-x4"
    train = profile.overrides["train"]
    assert (train["nproc_per_node"], train["max_batch_len"], train["device"]) == (4, 60_000, "cuda")
    assert profile.overrides["metadata"]["gpu_count"] == 4


def test_every_profile_is_a_valid_config() -> None:
    for hw in (
        Hardware("x", 2, 8.0),
        Hardware("x", 16, 64.0),
        Hardware("x", 8, 64.0, [Gpu("NVIDIA", "NVIDIA L4", 24.0)]),
    ):
        merged = merge(Config().model_dump(), pick_profile(hw).overrides)
        Config.model_validate(merged)


def test_merge_is_deep_and_replaces_leaves() -> None:
    assert merge({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": 3}, "d": [2]}) == {
        "a": {"b": 3, "c": 2},
        "d": [2],
    }
