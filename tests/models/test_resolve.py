"""What a model setting names: a path, a name in the models directory, or nothing."""

from __future__ import annotations

import pytest

from instructlab.errors import ModelNotFound
from instructlab.models.resolve import resolve_model_path


def test_missing_model_names_where_it_looked(tmp_path) -> None:
    with pytest.raises(ModelNotFound) as caught:
        resolve_model_path(tmp_path / "nope.gguf")
    assert "ilab model list" in str(caught.value)


def test_names_in_the_models_directory_resolve(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ILAB_CACHE_DIR", str(tmp_path))
    models = tmp_path / "models"
    models.mkdir()
    (models / "mine.gguf").write_bytes(b"GGUF")
    assert resolve_model_path("mine.gguf") == models / "mine.gguf"
