"""The SDK's `Taxonomy`: initialise, diff and validate a taxonomy of ``qna.yaml`` leaves."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.core._base import ConfiguredBase
from instructlab.core._checked import checked

if TYPE_CHECKING:
    from instructlab.config import Config as ConfigModel
    from instructlab.taxonomy import Leaf, ValidationReport


class Taxonomy(ConfiguredBase):
    """A taxonomy repository (v1alpha1).

    ``Taxonomy()`` uses ``generate.taxonomy_path`` and ``generate.taxonomy_base`` from the
    configuration; both can be given here or per call.
    """

    @checked
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

    @checked
    def init(self, source: str | None = None, shallow: bool = True) -> Path:
        """Creates the taxonomy: cloned from ``source`` (a URL or local repository, shallow by
        default), or a new git repository seeded from the bundled example. Returns its path.
        """
        from instructlab.taxonomy import init_taxonomy

        return init_taxonomy(self.path, source, shallow=shallow)

    @checked
    def validate(
        self,
        base: str | None = None,
        skip_documents: bool = False,
        *,
        include_foundational: bool = False,
        yaml_rules: str | Path | None = None,
        word_counts: bool = False,
        attribution: bool = False,
    ) -> ValidationReport:
        """Every problem of every leaf changed since ``base`` (``empty``: every leaf), as a
        typed report. Nothing is printed; problems in the taxonomy are never raised.
        """
        from instructlab.taxonomy import validate_taxonomy

        return validate_taxonomy(
            self.path,
            base or self.base,
            include_foundational=include_foundational,
            skip_documents=skip_documents,
            yaml_rules=Path(yaml_rules).expanduser() if yaml_rules else None,
            word_counts=word_counts,
            attribution=attribution,
        )

    @checked
    def diff(
        self,
        base: str | None = None,
        include_foundational: bool = False,
        skip_documents: bool = False,
    ) -> list[Leaf]:
        """The leaves changed since ``base``, parsed, validated and sorted by path, with their
        knowledge documents resolved. Raises ``TaxonomyError`` listing every problem when any
        changed leaf is invalid.
        """
        from instructlab.taxonomy import leaves_or_raise

        report = self.validate(base, skip_documents, include_foundational=include_foundational)
        return leaves_or_raise(report)
