"""The taxonomy: the bundled example, and (later) the Python face of the Rust taxonomy engine."""

from instructlab.taxonomy.example import (
    EXAMPLE_DOCS_COMMIT,
    create_example_docs_repo,
    example_taxonomy_files,
    write_example_taxonomy,
)

__all__ = [
    "EXAMPLE_DOCS_COMMIT",
    "create_example_docs_repo",
    "example_taxonomy_files",
    "write_example_taxonomy",
]
