"""What generation left in the data sets folder: runs, their files and row counts.

A run is either a folder under the data sets folder holding data files (the engine writes each
run into a folder of its own), or, for InstructLab-style flat output, the files sharing one
timestamp suffix (``..._2024-10-01T12_00_00.jsonl`` and ``node_datasets_2024-10-01T12_00_00/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from instructlab.sdg.jsonl import count_jsonl_rows

#: Files that count as data.
DATA_SUFFIXES = (".jsonl", ".yaml", ".json")
_SUFFIX = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2})")


@dataclass(frozen=True)
class DataFile:
    """One data file of a run; ``rows`` is None for files that are not JSON lines."""

    path: Path
    rows: int | None
    size: int


@dataclass(frozen=True)
class DataRun:
    """A generation run: its name, where it lives, when it was last written, and its files."""

    name: str
    path: Path
    modified: datetime
    files: tuple[DataFile, ...]

    @property
    def rows(self) -> int:
        """Rows over all JSON-lines files."""
        return sum(f.rows or 0 for f in self.files)


def _data_file(path: Path) -> DataFile:
    rows = count_jsonl_rows(path) if path.suffix == ".jsonl" else None
    return DataFile(path, rows, path.stat().st_size)


def _data_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in DATA_SUFFIXES and not p.name.startswith(".")
    )


def _run(name: str, where: Path, files: list[Path]) -> DataRun:
    stamp = max(f.stat().st_mtime for f in files)
    modified = datetime.fromtimestamp(stamp, tz=timezone.utc)
    return DataRun(name, where, modified, tuple(_data_file(f) for f in files))


def list_runs(output_dir: str | Path) -> list[DataRun]:
    """The runs found under ``output_dir``, newest first (an absent folder has none)."""
    root = Path(output_dir)
    if not root.is_dir():
        return []
    flat: dict[str, list[Path]] = {}
    runs: list[DataRun] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        stamp = _SUFFIX.search(entry.name)
        if entry.is_dir() and not stamp:
            files = _data_files(entry)
            if files:
                runs.append(_run(entry.name, entry, files))
            continue
        if entry.is_dir():
            flat.setdefault(stamp.group(1) if stamp else "", []).extend(_data_files(entry))
        elif entry.suffix in DATA_SUFFIXES:
            flat.setdefault(stamp.group(1) if stamp else "", []).append(entry)
    for name, files in flat.items():
        if files:
            runs.append(_run(name or "(unsorted)", root, sorted(files)))
    return sorted(runs, key=lambda r: (r.modified, r.name), reverse=True)
