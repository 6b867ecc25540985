"""Name -> path: what a model setting names (the embedded model, a path, or a name in the models
directory), what a server reports it as, and what kind of model a folder holds."""

from __future__ import annotations

from pathlib import Path

from instructlab.config import paths
from instructlab.errors import ModelNotFound
from instructlab.models.embedded import EMBEDDED_MODEL_ID, embedded_model_path, is_embedded

__all__ = ["gguf_in", "is_gguf", "is_hf_directory", "model_id_for", "resolve_model_path"]

_HF_WEIGHTS = ("*.safetensors", "*.bin", "*.pt")


def resolve_model_path(model: str | Path) -> Path:
    """The file or directory ``model`` names: ``embedded://...``, a path, or a name in the models
    directory. :class:`ModelNotFound` says where it looked."""
    if is_embedded(model):
        return embedded_model_path()
    path = Path(model).expanduser()
    if path.exists():
        return path
    in_models = paths.models_dir() / str(model)
    if not path.is_absolute() and in_models.exists():
        return in_models
    raise ModelNotFound(
        str(model),
        f"no such file or directory (also looked in {paths.models_dir()}); "
        "`ilab model list` shows the models available",
    )


def model_id_for(model: str | Path, path: Path) -> str:
    """The name a server reports for the model: the embedded id, else the file or directory name."""
    if is_embedded(model):
        return EMBEDDED_MODEL_ID
    return path.stem if path.is_file() else path.name


def is_gguf(path: Path) -> bool:
    """A GGUF file: named ``.gguf`` and starting with the format's magic bytes."""
    if not path.is_file() or path.suffix != ".gguf":
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"GGUF"
    except OSError:
        return False


def gguf_in(directory: Path) -> Path | None:
    """The only GGUF file in ``directory``, if it holds exactly one."""
    found = sorted(directory.glob("*.gguf"))
    return found[0] if len(found) == 1 else None


def is_hf_directory(path: Path) -> bool:
    """A Hugging Face model directory: ``config.json`` plus weights."""
    if not path.is_dir() or not (path / "config.json").is_file():
        return False
    return any(next(path.glob(pattern), None) is not None for pattern in _HF_WEIGHTS)
