"""Shared pieces of the evaluation tests: a tiny model and MMLU-format sets, made once; a tiny
MT-Bench and the mock that answers and judges it (see ``skills_mock``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from instructlab.eval.synthetic import write_mmlu
from instructlab.testing import MockOpenAI

from .skills_mock import mock_rules, write_mt_bench_data
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


@pytest.fixture
def mt_data(tmp_path: Path) -> Path:
    return write_mt_bench_data(tmp_path / "data")


@pytest.fixture
def mock() -> Iterator[MockOpenAI]:
    with MockOpenAI(mock_rules(), models=("mock-model", "mock-judge")) as server:
        yield server
