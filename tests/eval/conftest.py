"""Shared pieces of the evaluation tests: a tiny model and MMLU-format sets, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.eval.synthetic import write_mmlu

from .tiny import write_tiny_model

SUBJECTS = ("anatomy", "astronomy", "virology")


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread() -> None:
    """Tiny models run fastest on one thread, and the machine's cores are shared."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def other_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another tiny model (other weights), the 'trained' one of branch comparisons."""
    return write_tiny_model(tmp_path_factory.mktemp("models") / "trained", seed=1)


@pytest.fixture(scope="session")
def mmlu_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mmlu(tmp_path_factory.mktemp("mmlu_csv"), SUBJECTS, test=6, dev=3)


@pytest.fixture(scope="session")
def mmlu_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mmlu(tmp_path_factory.mktemp("mmlu_pq"), SUBJECTS, test=6, dev=3, layout="parquet")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``gpu`` tests run where a CUDA GPU and vLLM are; elsewhere they are deselected (not
    skipped: CI fails on skips), and `pytest -m gpu` on a GPU machine runs them."""
    from instructlab.llm.backends import cuda_available, vllm_installed

    if cuda_available() and vllm_installed():
        return
    kept = [i for i in items if i.get_closest_marker("gpu") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
