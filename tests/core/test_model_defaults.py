"""The newest trained checkpoint is the model when none is named and the configuration names only
the built-in default; a model the configuration names is kept."""

from __future__ import annotations

import json
from pathlib import Path

from instructlab.config import paths
from instructlab.config.model import EMBEDDED_MODEL
from instructlab.core import Model


def _checkpoint(samples: int, created: str) -> Path:
    folder = paths.checkpoints_dir() / "hf_format" / f"samples_{samples}"
    folder.mkdir(parents=True)
    info = {"format_version": 1, "created": created, "base_model": {"source": "base"}}
    (folder / "instructlab_checkpoint.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"\0" * 8)
    return folder


def test_newest_checkpoint_when_nothing_is_named(tmp_path: Path) -> None:
    assert Model()._model_under_test(None) == EMBEDDED_MODEL  # nothing trained yet
    _checkpoint(20, "2025-01-01T00:00:00+00:00")
    newest = _checkpoint(10, "2025-03-01T00:00:00+00:00")  # written last
    heard: list[str] = []
    assert Model()._model_under_test(None) == str(newest)
    assert Model()._newest_or(EMBEDDED_MODEL, "chat.model", heard.append) == str(newest)
    assert heard == [
        f"Using the newest trained checkpoint, {newest} (chat.model names no model of yours; "
        "name one to use another)"
    ]
    assert Model()._model_under_test("mine.gguf") == "mine.gguf"
    config = tmp_path / "config.yaml"
    config.write_text("evaluate:\n  model: other.gguf\n", encoding="utf-8")
    assert Model(configuration=config)._model_under_test(None) == "other.gguf"
    rows = [m for m in Model().list() if m.samples is not None]
    assert [(m.name, m.samples, m.base_model) for m in rows] == [
        ("samples_10", 10, "base"),
        ("samples_20", 20, "base"),
    ]
