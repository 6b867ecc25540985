"""The taxonomy: the Python face of the Rust taxonomy engine, knowledge documents, the example.

``validate_taxonomy`` checks the leaves changed since a base (or all of them) and returns a
typed :class:`ValidationReport`; valid leaves come back as :class:`Leaf` objects with their
parsed content and resolved :class:`Document` files. ``changed_leaves`` chooses the leaves a
generation run starts from.
"""

from typing import TYPE_CHECKING, Any

from instructlab.taxonomy.documents import DocumentCache, DocumentError
from instructlab.taxonomy.example import (
    EXAMPLE_DOCS_COMMIT,
    create_example_docs_repo,
    example_taxonomy_files,
    write_example_taxonomy,
)
from instructlab.taxonomy.init import init_taxonomy
from instructlab.taxonomy.leaf import Document, Leaf, LeafKind
from instructlab.taxonomy.report import Problem, ValidationReport
from instructlab.taxonomy.revision import LeafAtRevision, leaves_at
from instructlab.taxonomy.validate import leaves_or_raise, validate_taxonomy

if TYPE_CHECKING:
    from instructlab.taxonomy.choose import NoChangedLeaves, changed_leaves


def __getattr__(name: str) -> Any:
    # Generation's entry point, imported when asked for: `ilab taxonomy diff` never needs it.
    if name in ("NoChangedLeaves", "changed_leaves"):
        from instructlab.taxonomy import choose

        return getattr(choose, name)
    raise AttributeError(f"module 'instructlab.taxonomy' has no attribute '{name}'")


__all__ = [
    "EXAMPLE_DOCS_COMMIT",
    "Document",
    "DocumentCache",
    "DocumentError",
    "Leaf",
    "LeafAtRevision",
    "LeafKind",
    "NoChangedLeaves",
    "Problem",
    "ValidationReport",
    "changed_leaves",
    "create_example_docs_repo",
    "example_taxonomy_files",
    "init_taxonomy",
    "leaves_at",
    "leaves_or_raise",
    "validate_taxonomy",
    "write_example_taxonomy",
]
