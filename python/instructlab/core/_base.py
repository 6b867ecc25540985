"""What every SDK class shares: an optional configuration, loaded once and only when needed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from instructlab.config import Config as ConfigModel
    from instructlab.config import LoadedConfig


class ConfiguredBase:
    """Holds a configuration: a model, a file to read, or (by default) the user's file."""

    def __init__(self, configuration: ConfigModel | str | Path | None = None) -> None:
        self._given = configuration
        self._loaded: LoadedConfig | None = None

    @property
    def loaded(self) -> LoadedConfig:
        """The configuration with its source file and the warnings noticed while reading it."""
        if self._loaded is None:
            # Imported here: the configuration model is costly to build, and unneeded when
            # every setting is given.
            from instructlab.config import Config as ConfigModel
            from instructlab.config import LoadedConfig, load_config

            if isinstance(self._given, ConfigModel):
                self._loaded = LoadedConfig(self._given, None, [])
            else:
                self._loaded = load_config(self._given)
        return self._loaded

    @property
    def configuration(self) -> ConfigModel:
        """The configuration in effect."""
        return self.loaded.config
