"""The SDK's `Taxonomy`: initialise, diff and validate a taxonomy of ``qna.yaml`` leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet


class Taxonomy(ConfiguredBase):
    """A taxonomy repository (v1alpha1).

    ``Taxonomy()`` uses ``generate.taxonomy_path`` and ``generate.taxonomy_base`` from the
    configuration; both can be given here or per call.
    """

    def __init__(
        self,
        taxonomy_path: str | Path | None = None,
        taxonomy_base: str | None = None,
        configuration: ConfigModel | str | Path | None = None,
    ) -> None:
        super().__init__(configuration)
        self._path = Path(taxonomy_path).expanduser() if taxonomy_path else None
        self._base = taxonomy_base

    @property
    def path(self) -> Path:
        """The taxonomy directory."""
        return self._path or Path(self.configuration.generate.taxonomy_path).expanduser()

    @property
    def base(self) -> str:
        """The git ref diffs compare against (``empty`` = every leaf)."""
        return self._base or self.configuration.generate.taxonomy_base

    def init(self, source: str | None = None, shallow: bool = True) -> Path:
        """Creates the taxonomy: cloned from ``source``, or seeded from the bundled example."""
        raise not_yet("Taxonomy.init")

    def diff(self, base: str | None = None, include_foundational: bool = False) -> list[Any]:
        """The leaves changed since ``base``, parsed and validated."""
        raise not_yet("Taxonomy.diff")

    def validate(self, base: str | None = None, skip_documents: bool = False) -> Any:
        """Every problem of every changed leaf, as a typed report (nothing is printed)."""
        raise not_yet("Taxonomy.validate")
