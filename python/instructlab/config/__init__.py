"""The configuration of instructlab: the ``config.yaml`` model, its paths, loading and writing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.config.load import LoadedConfig, load_config, parse_config
    from instructlab.config.model import (
        CONFIG_VERSION,
        DEFAULT_SYSTEM_PROMPT,
        EMBEDDED_MODEL,
        Config,
    )
    from instructlab.config.render import render_config, render_value, write_config

# Imported when first asked for: `instructlab.config.paths` alone must not build the model.
_HOMES = {
    "CONFIG_VERSION": "model",
    "DEFAULT_SYSTEM_PROMPT": "model",
    "EMBEDDED_MODEL": "model",
    "Config": "model",
    "LoadedConfig": "load",
    "load_config": "load",
    "parse_config": "load",
    "render_config": "render",
    "render_value": "render",
    "write_config": "render",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)


__all__ = [
    "CONFIG_VERSION",
    "DEFAULT_SYSTEM_PROMPT",
    "EMBEDDED_MODEL",
    "Config",
    "LoadedConfig",
    "load_config",
    "parse_config",
    "render_config",
    "render_value",
    "write_config",
]
