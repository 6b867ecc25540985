"""A taxonomy as it was at a revision (a branch, tag or commit), read in-process from git's object
database by the Rust engine: no checkout, the user's work tree untouched. Branch benchmarks
(MT-Bench-branch) read the seed examples of two revisions this way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab import _native
from instructlab.errors import FileError, InstructLabError

__all__ = ["LeafAtRevision", "leaves_at"]


@dataclass(frozen=True)
class LeafAtRevision:
    """One ``qna.yaml`` at a revision: its parsed content, or why it could not be parsed."""

    #: The path relative to the taxonomy root, ``/``-separated.
    path: str
    content: dict[str, Any] | None
    problem: str | None = None


def leaves_at(root: str | Path, rev: str) -> list[LeafAtRevision]:
    """Every ``qna.yaml`` of the taxonomy at ``root`` as it was at ``rev``, sorted by path.

    Raises ``GitError`` when ``root`` is not a git repository or ``rev`` names nothing there;
    a file that does not parse comes back with its ``problem`` (schema checks are
    ``ilab taxonomy diff``'s job, not this reader's).
    """
    folder = Path(root).expanduser()
    if not folder.is_dir():
        raise FileError(str(folder), "the taxonomy directory does not exist")
    leaves = []
    for path, text in _native.qna_files_at(folder, rev):
        try:
            content = _native.load_yaml(text.encode("utf-8"), path)
        except InstructLabError as exc:
            leaves.append(LeafAtRevision(path, None, exc.message))
            continue
        if not isinstance(content, dict):
            leaves.append(LeafAtRevision(path, None, "not a YAML mapping"))
            continue
        leaves.append(LeafAtRevision(path, content))
    return leaves
