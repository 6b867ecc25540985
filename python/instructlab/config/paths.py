"""Where instructlab keeps its files: XDG directories on Linux and macOS alike.

Each directory can be moved by an environment variable, checked in this order:
``ILAB_CONFIG_DIR`` / ``ILAB_DATA_DIR`` / ``ILAB_CACHE_DIR``, then the XDG variables
(``XDG_CONFIG_HOME``, ``XDG_DATA_HOME``, ``XDG_CACHE_HOME``), then the XDG defaults under ``~``.
Paths are computed when asked for, never at import, so tests and users can change them at run time.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "instructlab"
CONFIG_FILENAME = "config.yaml"


def _xdg(own_var: str, xdg_var: str, fallback: str) -> Path:
    own = os.environ.get(own_var)
    if own:
        return Path(own).expanduser()
    base = os.environ.get(xdg_var)
    root = Path(base).expanduser() if base else Path.home() / fallback
    return root / APP


def config_dir() -> Path:
    """The directory holding ``config.yaml`` (``~/.config/instructlab``)."""
    return _xdg("ILAB_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    """The directory holding taxonomy, datasets, checkpoints (``~/.local/share/instructlab``)."""
    return _xdg("ILAB_DATA_DIR", "XDG_DATA_HOME", ".local/share")


def cache_dir() -> Path:
    """The directory holding models and caches (``~/.cache/instructlab``)."""
    return _xdg("ILAB_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def config_file() -> Path:
    """The default configuration file."""
    return config_dir() / CONFIG_FILENAME


def taxonomy_dir() -> Path:
    """The user's taxonomy repository."""
    return data_dir() / "taxonomy"


def datasets_dir() -> Path:
    """Generated data sets."""
    return data_dir() / "datasets"


def checkpoints_dir() -> Path:
    """Training checkpoints."""
    return data_dir() / "checkpoints"


def chatlogs_dir() -> Path:
    """Saved chat transcripts."""
    return data_dir() / "chatlogs"


def internal_dir() -> Path:
    """Files users need not look at: processed training data, eval scratch, process records."""
    return data_dir() / "internal"


def models_dir() -> Path:
    """Downloaded and trained models."""
    return cache_dir() / "models"


def data_directories() -> list[Path]:
    """Every directory ``ilab config init`` creates."""
    return [
        config_dir(),
        taxonomy_dir().parent,
        datasets_dir(),
        checkpoints_dir(),
        chatlogs_dir(),
        internal_dir(),
        models_dir(),
    ]
