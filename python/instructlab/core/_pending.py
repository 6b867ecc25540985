"""The one list of documented capabilities that this version does not provide yet.

Each SDK method listed here raises :class:`~instructlab.errors.NotImplementedYet` (exit code 3 in
the CLI). A test checks that everything *not* listed works; each issue that lands a capability
removes its rows.
"""

from __future__ import annotations

from instructlab.errors import NotImplementedYet

PENDING: dict[str, str] = {}


def not_yet(what: str) -> NotImplementedYet:
    """The error a pending SDK method raises; ``what`` is its ``Class.method`` name."""
    return NotImplementedYet(PENDING[what], what)
