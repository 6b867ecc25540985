"""The typed leaves a taxonomy diff returns: what generation starts from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

LeafKind = Literal["knowledge", "freeform_skill", "grounded_skill", "foundational_skill"]


@dataclass(frozen=True)
class Document:
    """One knowledge document, checked out in the document cache."""

    repo: str
    commit: str
    #: The path relative to the document repository's root.
    name: str
    #: The absolute path of the file in the document cache checkout.
    path: Path


@dataclass(frozen=True)
class Leaf:
    """One valid ``qna.yaml`` of the taxonomy.

    ``kind``: under ``knowledge/`` it is ``knowledge``; under ``compositional_skills/`` it is
    ``grounded_skill`` when its seed examples carry a ``context``, else ``freeform_skill``;
    under ``foundational_skills/`` it is ``foundational_skill``.
    """

    #: The ``qna.yaml`` path relative to the taxonomy root, ``/``-separated.
    path: str
    kind: LeafKind
    version: int
    #: The parsed ``qna.yaml``.
    content: dict[str, Any]
    documents: tuple[Document, ...] = ()
