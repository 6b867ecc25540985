"""The SDK's `Config`: create, read and show ``config.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab import _native
from instructlab.config import Config as ConfigModel
from instructlab.config import (
    LoadedConfig,
    load_config,
    parse_config,
    paths,
    render_config,
    write_config,
)
from instructlab.config.profiles import Profile, merge, pick_profile
from instructlab.config.render import render_value
from instructlab.core._checked import checked
from instructlab.errors import ConfigProblem, FileError, UsageError
from instructlab.fileio import check_dir, ensure_dir
from instructlab.system.hardware import Hardware, detect_hardware


@dataclass(frozen=True)
class ConfigInitResult:
    """What `Config.init` did."""

    config_file: Path
    profile: str
    profile_description: str
    hardware: Hardware
    directories: list[Path]
    warnings: list[ConfigProblem] = field(default_factory=list)
    #: The taxonomy created from the bundled example (None: one was there already).
    taxonomy_created: Path | None = None


class Config:
    """Creates, reads and shows the configuration (v1alpha1).

    ``Config()`` works on the default file (``~/.config/instructlab/config.yaml``);
    ``Config(config_file=...)`` on another one. Nothing requires the file to exist: without it the
    built-in defaults apply.
    """

    @checked
    def __init__(self, config_file: str | Path | None = None) -> None:
        self._explicit = config_file is not None
        self.config_file = Path(config_file).expanduser() if config_file else paths.config_file()

    @checked
    def load(self) -> LoadedConfig:
        """Reads the file (or the defaults when the default file does not exist)."""
        return load_config(self.config_file if self._explicit else None)

    @checked
    def check(self) -> LoadedConfig:
        """Reads and validates the file, which must exist; ``ConfigError`` lists every problem."""
        return load_config(self.config_file)

    @checked
    def get(self, key: str) -> Any:
        """The value at a dotted key (``generate.pipeline``); ``UsageError`` when there is none."""
        try:
            return self.load().config.get(key)
        except KeyError:
            raise UsageError(
                f"'{key}' is not a configuration key (see `ilab config show`)"
            ) from None

    @checked
    def show(self, key: str | None = None) -> str:
        """The configuration as YAML with comments, or one key's value."""
        if key is None:
            return render_config(self.load().config)
        return render_value(self.get(key))

    @checked
    def init(
        self,
        *,
        profile: str | Path | None = None,
        taxonomy_path: str | Path | None = None,
        model_path: str | Path | None = None,
        overwrite: bool = True,
        hardware: Hardware | None = None,
        create_taxonomy: bool = True,
    ) -> ConfigInitResult:
        """Writes a new configuration and creates the data directories.

        The profile is picked from the hardware found unless ``profile`` names a file (a partial
        ``config.yaml`` laid over the defaults). With ``create_taxonomy``, a configured taxonomy
        folder that is missing or empty is created from the bundled example (a new git
        repository). Works offline; never downloads anything.
        """
        if self.config_file.exists() and not overwrite:
            raise UsageError(f"{self.config_file} exists; pass overwrite=True to replace it")
        if self.config_file.is_dir():
            raise FileError(str(self.config_file), "is a folder, not a configuration file")
        check_dir(self.config_file.parent)
        hw = hardware if hardware is not None else detect_hardware()
        chosen = pick_profile(hw)
        warnings: list[ConfigProblem] = []
        overrides = chosen.overrides
        if profile is not None:
            chosen, overrides, warnings = self._profile_file(Path(profile).expanduser(), chosen)
        raw = merge(ConfigModel().model_dump(exclude_none=True), overrides)
        if taxonomy_path is not None:
            check_dir(Path(taxonomy_path).expanduser(), "taxonomy folder")
            raw["generate"]["taxonomy_path"] = str(Path(taxonomy_path).expanduser().resolve())
        if model_path is not None:
            resolved = str(Path(model_path).expanduser().resolve())
            raw["serve"]["model_path"] = resolved
            raw["chat"]["model"] = resolved
        config = ConfigModel.model_validate(raw)
        directories = paths.data_directories()
        for directory in directories:
            ensure_dir(directory)
        write_config(config, self.config_file)
        created = _ensure_taxonomy(config) if create_taxonomy else None
        return ConfigInitResult(
            self.config_file, chosen.name, chosen.description, hw, directories, warnings, created
        )

    @staticmethod
    def _profile_file(
        file: Path, detected: Profile
    ) -> tuple[Profile, dict[str, Any], list[ConfigProblem]]:
        try:
            source = file.read_bytes()
        except OSError as exc:
            raise FileError(str(file), exc.strerror or "cannot be read") from None
        # Validate the profile as a config file first: errors name the profile's own lines.
        checked = parse_config(source, str(file))
        raw = _native.load_yaml(source, str(file)) or {}
        raw.pop("version", None)
        overrides = merge({"metadata": detected.overrides.get("metadata", {})}, raw)
        profile = Profile(file.stem, f"from {file}", overrides)
        warnings = [w for w in checked.warnings if w.key != "version"]
        return profile, overrides, warnings


def _ensure_taxonomy(config: ConfigModel) -> Path | None:
    """Creates the configured taxonomy from the bundled example when there is none yet;
    returns its path (None when one was there)."""
    from instructlab.core.taxonomy import Taxonomy

    tax = Taxonomy(configuration=config)
    if tax.path.exists() and any(tax.path.iterdir()):
        return None
    return tax.init()
