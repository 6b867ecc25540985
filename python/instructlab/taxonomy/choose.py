"""Choosing the leaves to generate for: the valid leaves changed since a base.

Generation starts from here: every leaf changed since ``base`` (``empty``: every leaf), checked
and with its knowledge documents resolved; an invalid leaf stops it with every problem listed.
"""

from __future__ import annotations

from pathlib import Path

from instructlab.errors import InstructLabError
from instructlab.taxonomy.leaf import Leaf
from instructlab.taxonomy.validate import leaves_or_raise, validate_taxonomy

__all__ = ["NoChangedLeaves", "changed_leaves"]


class NoChangedLeaves(InstructLabError):
    """No leaf changed since the base: there is nothing to generate for."""


def changed_leaves(root: Path, base: str, yaml_rules: Path | None = None) -> list[Leaf]:
    """The valid leaves changed since ``base``, sorted by path.

    Raises:
        TaxonomyError: a changed leaf is invalid (every problem listed).
        NoChangedLeaves: none changed.
    """
    report = validate_taxonomy(root.expanduser(), base, yaml_rules=yaml_rules)
    leaves = leaves_or_raise(report)
    if not leaves:
        raise NoChangedLeaves(
            f"{root}: no changed leaves against {base!r} (nothing to generate); "
            "use --taxonomy-base empty to generate for every leaf"
        )
    return leaves
