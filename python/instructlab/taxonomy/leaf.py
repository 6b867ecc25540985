"""A taxonomy leaf: one ``qna.yaml`` with its parsed content and, for knowledge, its documents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Document:
    """A knowledge document, checked out at a pinned commit in the document cache."""

    repo: str
    commit: str
    name: str  # path relative to the document repo root
    path: Path  # absolute path of the file in the document cache checkout


@dataclass(frozen=True)
class Leaf:
    """A leaf node of the taxonomy: the ``qna.yaml`` that generation starts from."""

    path: str  # the qna.yaml path relative to the taxonomy root, '/'-separated
    kind: Literal["knowledge", "freeform_skill", "grounded_skill", "foundational_skill"]
    version: int
    content: dict[str, Any]  # the parsed qna.yaml
    documents: tuple[Document, ...] = ()
