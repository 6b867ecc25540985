"""Uploading to Hugging Face is refused, naming what is missing, before anything is sent:
offline mode, no token, an unreachable Hub (a closed port on 127.0.0.1 stands for it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.errors import UploadFailed, UsageError
from instructlab.models.upload.hf import push


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    folder = tmp_path / "samples_12"
    folder.mkdir()
    (folder / "config.json").write_text("{}", encoding="utf-8")
    return folder


def test_offline_mode_is_named(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UploadFailed, match="HF_HUB_OFFLINE is set"):
        push(model, "team/student", "main", token="hf_x")


def test_a_missing_token_is_named(model: Path) -> None:
    with pytest.raises(UploadFailed, match="no Hugging Face token: give --hf-token, set HF_TOKEN"):
        push(model, "team/student", "main")


def test_an_unreachable_hub_is_named(model: Path) -> None:
    with pytest.raises(UploadFailed, match=r"^http://127\.0\.0\.1:9: the upload to team/student"):
        push(model, "team/student", "main", token="hf_x")


def test_a_bad_repository_id(model: Path) -> None:
    with pytest.raises(UsageError, match="not a Hugging Face repository id"):
        push(model, "just-a-name", "main", token="hf_x")
