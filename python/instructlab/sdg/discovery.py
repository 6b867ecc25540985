"""Finding pipelines by name: ``simple``, ``full``, ``eval``, a NAME or a directory.

A pipeline is a directory holding one file per leaf kind (``knowledge.yaml``,
``freeform_skills.yaml``, ``grounded_skills.yaml``; ``mmlu_bench.yaml`` for eval data), so a
user's InstructLab pipeline directory is a drop-in. Lookup order for a name:

1. an existing directory path (``--pipeline ./my-pipeline``);
2. the built-in ``simple``, ``full`` and ``eval`` shipped in this package;
3. ``$XDG_DATA_HOME/instructlab/sdg/pipelines/NAME`` (default ``~/.local/share/…``);
4. each ``$XDG_DATA_DIRS`` entry's ``instructlab/sdg/pipelines/NAME`` (default
   ``/usr/local/share`` then ``/usr/share``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from instructlab.sdg.errors import GenerateUsageError

__all__ = [
    "BUILTIN",
    "PIPELINE_FILES",
    "FoundPipeline",
    "find_pipeline",
    "list_pipelines",
    "search_dirs",
]

#: The names shipped with the package.
BUILTIN = ("simple", "full", "eval")

#: The file for each kind of leaf (and for MMLU-branch evaluation data).
PIPELINE_FILES = {
    "knowledge": "knowledge.yaml",
    "freeform_skill": "freeform_skills.yaml",
    "grounded_skill": "grounded_skills.yaml",
    "eval": "mmlu_bench.yaml",
}


@dataclass(frozen=True)
class FoundPipeline:
    """A pipeline directory and where it was found."""

    name: str
    path: Path
    source: str

    def file_for(self, kind: str) -> Path | None:
        """The pipeline file for a leaf kind, if this directory has one."""
        name = PIPELINE_FILES.get(kind)
        if name is None:
            return None
        path = self.path / name
        return path if path.is_file() else None

    @property
    def kinds(self) -> list[str]:
        """The leaf kinds this pipeline covers."""
        return [k for k in PIPELINE_FILES if self.file_for(k) is not None]


def _builtin_root() -> Path:
    return Path(__file__).parent / "pipelines"


def search_dirs() -> list[tuple[str, Path]]:
    """The user and system directories searched for named pipelines, in order."""
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    dirs = [("user", Path(home).expanduser() / "instructlab" / "sdg" / "pipelines")]
    system = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    for entry in system.split(":"):
        if entry:
            dirs.append(("system", Path(entry) / "instructlab" / "sdg" / "pipelines"))
    return dirs


def _is_pipeline_dir(path: Path) -> bool:
    return path.is_dir() and any((path / f).is_file() for f in PIPELINE_FILES.values())


def find_pipeline(name: str) -> FoundPipeline:
    """The pipeline ``name`` refers to; the error lists what was searched."""
    given = Path(name).expanduser()
    if ("/" in name or given.is_dir()) and _is_pipeline_dir(given):
        return FoundPipeline(given.name, given.resolve(), "directory")
    if name in BUILTIN and _is_pipeline_dir(_builtin_root() / name):
        return FoundPipeline(name, _builtin_root() / name, "built-in")
    searched = []
    for source, root in search_dirs():
        candidate = root / name
        searched.append(str(candidate))
        if _is_pipeline_dir(candidate):
            return FoundPipeline(name, candidate, source)
    if "/" in name or given.exists():
        raise GenerateUsageError(
            f"pipeline: {name}: not a pipeline directory (expected one of "
            f"{', '.join(PIPELINE_FILES.values())} in it)",
            "pipeline",
        )
    known = ", ".join(p.name for p in list_pipelines()) or "none"
    raise GenerateUsageError(
        f"pipeline: no pipeline named {name!r} (known: {known}; searched {', '.join(searched)})",
        "pipeline",
    )


def list_pipelines() -> list[FoundPipeline]:
    """Every pipeline that can be named: built-in first, then user, then system ones."""
    found: list[FoundPipeline] = []
    seen: set[str] = set()
    root = _builtin_root()
    for name in BUILTIN:
        if _is_pipeline_dir(root / name):
            found.append(FoundPipeline(name, root / name, "built-in"))
            seen.add(name)
    for source, base in search_dirs():
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if child.name not in seen and _is_pipeline_dir(child):
                found.append(FoundPipeline(child.name, child, source))
                seen.add(child.name)
    return found
