"""Reading, checking and writing ``config.yaml``.

Every problem in a file is collected before anything is reported, each with its key path and line.
Unknown keys are warnings with a "did you mean" suggestion (a typo must not be silently ignored,
but an InstructLab file with keys we do not use must still load).
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from instructlab import _native
from instructlab.config.model import CONFIG_VERSION, EMBEDDED_MODEL, Config
from instructlab.errors import ConfigError, ConfigProblem, FileError, Location, YamlSyntaxError

KeyPath = tuple[Any, ...]

# Keys whose value is a path to a model file or directory, checked for existence with a warning.
_MODEL_PATH_KEYS = (
    "serve.model_path",
    "generate.model",
    "generate.teacher.model_path",
    "chat.model",
)


@dataclass
class LoadedConfig:
    """A configuration with where it came from and what was noticed while reading it."""

    config: Config
    path: Path | None
    warnings: list[ConfigProblem] = field(default_factory=list)


def _format_key(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _locate(locations: dict[KeyPath, tuple[int, int]], file: str, path: KeyPath) -> Location:
    # The deepest ancestor that exists in the file: a missing key is reported at its parent.
    for end in range(len(path), -1, -1):
        found = locations.get(tuple(path[:end]))
        if found:
            return Location(file, found[0], found[1])
    return Location(file)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds, if any (unwrapping ``X | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return _model_of(item)
    return None


def _unknown_keys(model: type[BaseModel], raw: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Yields (path, suggestion) for every key the model does not know, recursively."""
    if not isinstance(raw, dict):
        return
    fields = model.model_fields
    for key, value in raw.items():
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            yield (*path, key), close[0] if close else ""
            continue
        annotation = fields[key].annotation
        nested = _model_of(annotation)
        item_model = _list_item_model(annotation)
        if nested is not None:
            yield from _unknown_keys(nested, value, (*path, key))
        elif item_model is not None and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _unknown_keys(item_model, item, (*path, key, index))


def _drop(raw: dict[Any, Any], path: KeyPath) -> None:
    node: Any = raw
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


def _model_path_warnings(config: Config) -> Iterator[tuple[str, str]]:
    for key in _MODEL_PATH_KEYS:
        value = str(config.get(key))
        if value.startswith("embedded://"):
            if value != EMBEDDED_MODEL:
                yield (
                    key,
                    f"unknown embedded model '{value}'; the embedded model is {EMBEDDED_MODEL}",
                )
            continue
        # Model ids of hosted endpoints ("gpt-4o") have no slash and are not paths.
        looks_like_path = "/" in value or value.endswith(".gguf")
        if looks_like_path and not Path(value).expanduser().exists():
            yield (
                key,
                (
                    f"model path '{value}' does not exist; only commands that use this model "
                    "need it (place the model there, or change the key)"
                ),
            )


def parse_config(source: bytes, file: str) -> LoadedConfig:
    """Checks a configuration given as bytes; raises :class:`ConfigError` listing every problem."""
    raw, locations, key_locations = _native.load_yaml_located(source, file)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        where = _locate(locations, file, ())
        raise ConfigError(file, [ConfigProblem("", "expected a mapping of sections", where)])

    warnings: list[ConfigProblem] = []
    version = raw.get("version")
    if version is None:
        warnings.append(
            ConfigProblem("version", f"no version; reading it as {CONFIG_VERSION}", Location(file))
        )
    elif str(version).split(".")[0] != CONFIG_VERSION.split(".")[0]:
        raise ConfigError(
            file,
            [
                ConfigProblem(
                    "version",
                    f"version {version} is not supported; this ilab reads {CONFIG_VERSION}",
                    _locate(locations, file, ("version",)),
                )
            ],
        )

    for path, suggestion in list(_unknown_keys(Config, raw, ())):
        hint = f"; did you mean '{suggestion}'?" if suggestion else "; it is ignored"
        warnings.append(
            ConfigProblem(
                _format_key(path), f"unknown key{hint}", _locate(key_locations, file, path)
            )
        )
        _drop(raw, path)

    generate = raw.get("generate")
    if isinstance(generate, dict) and generate.get("num_instructions") is not None:
        warnings.append(
            ConfigProblem(
                "generate.num_instructions",
                "deprecated; use generate.sdg_scale_factor",
                _locate(locations, file, ("generate", "num_instructions")),
            )
        )

    warnings.extend(_train_conflicts(raw, locations, file))

    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = [
            ConfigProblem(
                _format_key(tuple(err["loc"])),
                _describe(err),
                _locate(locations, file, tuple(err["loc"])),
            )
            for err in exc.errors(include_url=False)
        ]
        raise ConfigError(file, problems) from None

    warnings.extend(
        ConfigProblem(key, message, _locate(locations, file, tuple(key.split("."))))
        for key, message in _model_path_warnings(config)
    )
    return LoadedConfig(config, None, warnings)


def _train_conflicts(
    raw: dict[Any, Any], locations: dict[KeyPath, tuple[int, int]], file: str
) -> Iterator[ConfigProblem]:
    """A warning for each ``train`` key set both at the top level and in ``additional_args``
    with different values: the ``additional_args`` one is in effect (InstructLab writes it
    there)."""
    from instructlab.config.model import TRAIN_SHARED_ARGS

    train = raw.get("train")
    if not isinstance(train, dict) or not isinstance(train.get("additional_args"), dict):
        return
    extra = train["additional_args"]
    for key in TRAIN_SHARED_ARGS:
        if key not in train or extra.get(key) is None:
            continue
        try:
            same = float(train[key]) == float(extra[key])
        except (TypeError, ValueError):
            continue  # the model reports the value that is not a number
        if not same:
            yield ConfigProblem(
                f"train.{key}",
                f"is {train[key]}, but train.additional_args.{key} is {extra[key]}: the "
                f"additional_args value is in effect (remove one of them)",
                _locate(locations, file, ("train", key)),
            )


def _describe(err: Any) -> str:
    message = str(err["msg"])
    if err["type"] == "missing":
        return "required key is missing"
    message = message.removeprefix("Value error, ")
    value = err.get("input")
    if err["type"] not in ("missing",) and not isinstance(value, (dict, list)):
        return f"{message[0].lower()}{message[1:]} (got {value!r})"
    return message[0].lower() + message[1:]


def load_config(path: str | Path | None = None) -> LoadedConfig:
    """Reads a configuration file; without a path, the default file or built-in defaults.

    A path that was asked for explicitly must exist. The default file may be absent: then the
    built-in defaults apply, exactly as if an empty file were there.
    """
    from instructlab.config import paths

    explicit = path is not None
    file = Path(path).expanduser() if path is not None else paths.config_file()
    try:
        source = file.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise FileError(
                str(file), "no such configuration file (create one with `ilab config init`)"
            ) from None
        return LoadedConfig(Config(), None, [])
    except OSError as exc:
        raise FileError(str(file), exc.strerror or str(exc)) from None
    try:
        loaded = parse_config(source, str(file))
    except YamlSyntaxError as exc:
        raise ConfigError(str(file), [ConfigProblem("", exc.reason, exc.location)]) from None
    loaded.path = file
    return loaded
