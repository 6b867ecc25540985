"""Writes a configuration as YAML with a comment above every key.

The comments come from the field descriptions in :mod:`instructlab.config.model`, so a user who
opens ``config.yaml`` reads what each key does without looking anything up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from instructlab.config.model import Config

_INDENT = "  "


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n...\n").strip()


def _block(value: Any, depth: int) -> list[str]:
    """A list or dict value written as a YAML block under its key."""
    dumped = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True)
    return [f"{_INDENT * depth}{line}" for line in dumped.splitlines()]


def _lines(model: BaseModel, depth: int, comments: bool) -> list[str]:
    out: list[str] = []
    pad = _INDENT * depth
    for name, info in type(model).model_fields.items():
        if info.exclude:
            continue
        value = getattr(model, name)
        if comments and info.description:
            out.append(f"{pad}# {info.description}")
        if isinstance(value, BaseModel):
            out.append(f"{pad}{name}:")
            out.extend(_lines(value, depth + 1, comments))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            out.append(f"{pad}{name}:")
            for item in value:
                item_lines = _lines(item, depth + 2, comments=False)
                first = item_lines[0].lstrip()
                out.append(f"{_INDENT * (depth + 1)}- {first}")
                out.extend(item_lines[1:])
        elif isinstance(value, (list, dict)) and value:
            out.append(f"{pad}{name}:")
            out.extend(_block(value, depth + 1))
        else:
            rendered = _scalar(value)
            out.append(f"{pad}{name}:{' ' + rendered if rendered else ''}")
    return out


def render_config(config: Config, comments: bool = True) -> str:
    """The whole configuration as YAML text."""
    header = (
        "# instructlab configuration. `ilab config show` prints it; `ilab config edit` edits it.\n"
    )
    body = "\n".join(_lines(config, 0, comments)) + "\n"
    return (header if comments else "") + body


def render_value(value: Any) -> str:
    """One value (a scalar or a section) as YAML text."""
    if value is None:
        return "null\n"
    if isinstance(value, BaseModel):
        return "\n".join(_lines(value, 0, comments=True)) + "\n"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        value = [item.model_dump() for item in value]
    if isinstance(value, (list, dict)):
        return "\n".join(_block(value, 0)) + "\n"
    return _scalar(value) + "\n"


def write_config(config: Config, path: Path) -> None:
    """Writes the configuration to ``path`` atomically (a crash never leaves half a file)."""
    from instructlab.fileio import atomic_write_text

    atomic_write_text(path, render_config(config))
