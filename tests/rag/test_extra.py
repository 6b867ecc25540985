"""The `rag` extra brings no torch: its dependency closure, read from the installed packages'
metadata with their markers, holds no ML framework. (The packaged model's own requirement on
sentence-transformers is why it is installed with --no-deps.)"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"torch", "transformers", "sentence-transformers", "tensorflow", "onnxruntime"}


def _name(text: str) -> str:
    return text.lower().replace("_", "-").replace(".", "-")


def _closure(requirements: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        env = {"extra": extra}
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = _name(req.name)
        for wanted in ["", *sorted(req.extras)]:
            key = f"{name}[{wanted}]"
            if key in seen:
                continue
            seen.add(key)
            dist = metadata.distribution(name)  # every package of the extra is installed here
            todo.extend((Requirement(r), wanted) for r in dist.requires or [])
    return {key.split("[")[0] for key in seen}


def test_the_rag_extra_brings_no_ml_framework() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    closure = _closure(project["dependencies"] + project["optional-dependencies"]["rag"])
    assert {"docling-slim", "pypdfium2", "pymilvus", "docling-core"} <= closure
    assert not closure & FORBIDDEN, sorted(closure & FORBIDDEN)
