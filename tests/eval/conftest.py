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
