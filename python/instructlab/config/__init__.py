"""The configuration of instructlab: the ``config.yaml`` model, its paths, loading and writing."""

from instructlab.config.load import LoadedConfig, load_config, parse_config
from instructlab.config.model import CONFIG_VERSION, EMBEDDED_MODEL, Config
from instructlab.config.render import render_config, render_value, write_config

__all__ = [
    "CONFIG_VERSION",
    "EMBEDDED_MODEL",
    "Config",
    "LoadedConfig",
    "load_config",
    "parse_config",
    "render_config",
    "render_value",
    "write_config",
]
