"""The typed leaves a taxonomy diff returns: what generation starts from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

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


class ContentSource(Protocol):
    """Parsed content not yet turned into Python objects (``instructlab._native.LeafContent``)."""

    def value(self) -> dict[str, Any]: ...


class _Content:
    """The ``content`` field of :class:`Leaf`: given as a dict or as a :class:`ContentSource`,
    read as a dict (converted on first read, then kept)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, leaf: Leaf | None, owner: type | None = None) -> dict[str, Any]:
        if leaf is None:
            raise AttributeError("content")  # no default: the field is required
        value = leaf.__dict__[self._slot]
        if not isinstance(value, dict):
            value = value.value()
            leaf.__dict__[self._slot] = value
        return value  # type: ignore[no-any-return]

    def __set__(self, leaf: Leaf, value: dict[str, Any] | ContentSource) -> None:
        leaf.__dict__[self._slot] = value


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
    #: The parsed ``qna.yaml`` (turned into Python objects when first read).
    content: _Content = _Content()
    documents: tuple[Document, ...] = ()
