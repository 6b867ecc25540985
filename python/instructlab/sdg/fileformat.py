"""Reading pipeline files: version rules, the shipped schema, ImportBlock, every problem at once.

Version rules (``version: "MAJOR.MINOR"``, mandatory): a higher major version than ours is
refused; a higher minor version is read with a warning and keys we do not know are ignored; an
older version gets defaults for whatever came later. In a file of our version or older, an unknown
key is an error with a suggestion.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from instructlab.errors import FileError
from instructlab.fileio import read_text
from instructlab.sdg.errors import PipelineProblem

__all__ = ["FORMAT_VERSION", "BlockEntry", "PipelineFile", "read_pipeline_file", "schema"]

#: The newest pipeline file format this version reads fully.
FORMAT_VERSION = (1, 1)


@functools.cache
def schema() -> dict[str, Any]:
    """The shipped JSON schema of the pipeline file format."""
    text = (Path(__file__).parent / "schema" / "pipeline.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass
class BlockEntry:
    """One block as written in a file (ImportBlock already expanded)."""

    name: str
    type: str
    config: dict[str, Any]
    file: Path
    drop_duplicates: list[str] = field(default_factory=list)
    drop_columns: list[str] = field(default_factory=list)


@dataclass
class PipelineFile:
    """What a pipeline file (and the files it imports) says."""

    path: Path
    version: tuple[int, int]
    blocks: list[BlockEntry]
    auxiliary_instructions: dict[str, list[str]]
    problems: list[PipelineProblem]
    warnings: list[str]


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _type_ok(value: Any, expected: str | list[str]) -> bool:
    names = [expected] if isinstance(expected, str) else expected
    for name in names:
        if name in ("number", "integer") and isinstance(value, bool):
            continue
        if isinstance(value, _TYPES[name]):
            return True
    return False


def check(value: Any, spec: dict[str, Any], where: str, strict: bool, out: list[str]) -> None:
    """Checks ``value`` against a schema node; appends messages to ``out``."""
    expected = spec.get("type")
    if expected is not None and not _type_ok(value, expected):
        shown = expected if isinstance(expected, str) else " or ".join(expected)
        out.append(f"{where}: expected {shown}, got {type(value).__name__} {value!r:.60}")
        return
    if "enum" in spec and value not in spec["enum"]:
        out.append(f"{where}: {value!r} is not one of {', '.join(map(str, spec['enum']))}")
    if isinstance(value, dict) and "properties" in spec:
        props: dict[str, Any] = spec["properties"]
        for key in spec.get("required", []):
            if key not in value:
                out.append(f"{where}: missing required key {key!r}")
        for key, item in value.items():
            if key in props:
                check(item, props[key], f"{where}.{key}", strict, out)
            elif strict and not spec.get("additionalProperties", False):
                close = difflib.get_close_matches(str(key), list(props), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                out.append(f"{where}: unknown key {key!r}{hint}")
    if isinstance(value, list) and "items" in spec:
        for i, item in enumerate(value):
            check(item, spec["items"], f"{where}[{i}]", strict, out)


def parse_version(raw: Any) -> tuple[int, int] | None:
    """``"1.0"`` -> (1, 0); None when malformed."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    parts = raw.strip().split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def read_pipeline_file(
    path: str | Path, known_types: set[str], _seen: tuple[Path, ...] = ()
) -> PipelineFile:
    """Reads, checks and expands a pipeline file; problems are collected, never raised."""
    path = Path(path)
    file = str(path)
    problems: list[PipelineProblem] = []
    warnings: list[str] = []
    result = PipelineFile(path, FORMAT_VERSION, [], {}, problems, warnings)
    try:
        content = yaml.safe_load(read_text(path, what="a pipeline file"))
    except FileError as exc:
        problems.append(PipelineProblem(file, None, exc.reason))
        return result
    except yaml.YAMLError as exc:
        problems.append(PipelineProblem(file, None, f"not valid YAML: {exc}"))
        return result
    if not isinstance(content, dict):
        problems.append(PipelineProblem(file, None, "expected a mapping with version and blocks"))
        return result
    if "version" not in content:
        problems.append(
            PipelineProblem(file, None, 'missing "version" (write version: "1.0" at the top)')
        )
        return result
    version = parse_version(content["version"])
    if version is None:
        problems.append(
            PipelineProblem(file, None, f'version {content["version"]!r} is not "MAJOR.MINOR"')
        )
        return result
    result.version = version
    ours = f"{FORMAT_VERSION[0]}.{FORMAT_VERSION[1]}"
    if version[0] > FORMAT_VERSION[0]:
        problems.append(
            PipelineProblem(
                file,
                None,
                f"format version {version[0]}.{version[1]} is newer than this instructlab "
                f"reads ({ours}); upgrade instructlab",
            )
        )
        return result
    strict = version <= FORMAT_VERSION
    if not strict:
        warnings.append(
            f"{file}: format version {version[0]}.{version[1]} is newer than {ours}; "
            "what this version does not know is ignored"
        )
    spec = schema()
    messages: list[str] = []
    check(content, spec, "pipeline", strict, messages)
    problems.extend(PipelineProblem(file, None, m) for m in messages)
    blocks = content.get("blocks")
    if not isinstance(blocks, list):
        return result
    aux = (content.get("datamixing") or {}).get("auxiliary_instructions") or {}
    if isinstance(aux, dict):
        result.auxiliary_instructions.update(
            {str(k): [str(x) for x in v] for k, v in aux.items() if isinstance(v, list)}
        )
    for index, raw in enumerate(blocks):
        name = raw.get("name") if isinstance(raw, dict) else None
        label = str(name) if name else f"blocks[{index}]"
        messages = []
        check(raw, spec["block"], "block", strict, messages)
        if messages:
            problems.extend(PipelineProblem(file, label, m) for m in messages)
            continue
        btype = raw["type"]
        config = raw.get("config") or {}
        if btype not in known_types:
            close = difflib.get_close_matches(btype, sorted(known_types), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(PipelineProblem(file, label, f"unknown block type {btype!r}{hint}"))
            continue
        config_spec = spec["configs"].get(btype)
        if config_spec is not None:
            messages = []
            cleaned = config
            if not strict:
                allowed = config_spec["properties"]
                cleaned = {k: v for k, v in config.items() if k in allowed}
                if config_spec.get("additionalProperties"):
                    cleaned = config
            check(cleaned, {"type": "object", **config_spec}, "config", strict, messages)
            problems.extend(PipelineProblem(file, label, m) for m in messages)
            if messages:
                continue
            config = cleaned
        if "gen_kwargs" in raw:
            # The format proposal puts gen_kwargs beside config; it wins over config's.
            config = dict(config)
            config["gen_kwargs"] = {**(config.get("gen_kwargs") or {}), **raw["gen_kwargs"]}
        if btype == "ImportBlock":
            target = Path(str(config["path"]))
            if not target.is_absolute():
                target = path.parent / target
            target = target.resolve()
            if target in _seen or target == path.resolve():
                problems.append(PipelineProblem(file, label, f"imports {target} in a cycle"))
                continue
            imported = read_pipeline_file(target, known_types, (*_seen, path.resolve()))
            problems.extend(imported.problems)
            warnings.extend(imported.warnings)
            for aux_key, aux_val in imported.auxiliary_instructions.items():
                result.auxiliary_instructions.setdefault(aux_key, aux_val)
            result.blocks.extend(imported.blocks)
            continue
        result.blocks.append(
            BlockEntry(
                str(name),
                btype,
                dict(config),
                path,
                list(raw.get("drop_duplicates") or []),
                list(raw.get("drop_columns") or []),
            )
        )
    seen_names: set[str] = set()
    for entry in result.blocks:
        if entry.name in seen_names and entry.file == path:
            problems.append(PipelineProblem(file, entry.name, "two blocks share this name"))
        seen_names.add(entry.name)
    return result
