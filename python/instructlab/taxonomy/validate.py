"""Validating a taxonomy: the Rust engine finds, parses and checks the leaves; this module
types its findings and resolves knowledge documents."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import cast

from instructlab import _native
from instructlab.errors import FileError
from instructlab.fileio import check_dir, read_text
from instructlab.taxonomy.documents import DocumentCache, DocumentError
from instructlab.taxonomy.leaf import Document, Leaf, LeafKind
from instructlab.taxonomy.report import Problem, Severity, ValidationReport


def validate_taxonomy(
    root: Path,
    base: str = "origin/main",
    *,
    include_foundational: bool = False,
    skip_documents: bool = False,
    yaml_rules: Path | None = None,
    word_counts: bool = False,
    attribution: bool = False,
    document_cache: Path | None = None,
) -> ValidationReport:
    """Checks every leaf changed since ``base`` (``empty``: every leaf) and returns a report.

    Raises ``GitError`` when ``base`` cannot be used, ``UsageError`` for a bad ``yaml_rules``
    file; problems in the taxonomy itself are in the report, never raised.
    """
    if not root.is_dir():
        check_dir(root, "taxonomy folder")  # a file in the way is named as such
        raise FileError(
            str(root), "the taxonomy folder does not exist (create it with `ilab taxonomy init`)"
        )
    rules_text: str | None = None
    if yaml_rules is not None:
        rules_text = read_text(yaml_rules, what="a yamllint configuration")
    # The engine returns every leaf's content as fresh dicts and lists, none of them cyclic:
    # the cycle collector would only walk them again and again while they are built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        files, raw = _native.check_taxonomy(
            root,
            base,
            include_foundational=include_foundational,
            yaml_rules=rules_text,
            yaml_rules_file=str(yaml_rules) if yaml_rules else "<yaml-rules>",
            word_counts=word_counts,
            attribution=attribution,
        )
    finally:
        if collecting:
            gc.enable()
    problems = [
        Problem(f, line, col, path, msg, cast(Severity, sev), rule)
        for f, line, col, path, msg, sev, rule in raw
    ]
    leaves: list[Leaf] = []
    cache: DocumentCache | None = None  # opened for the first knowledge leaf
    # Leaves often share a document repository: resolve each (repo, commit, patterns) once.
    resolved: dict[tuple[str, str, tuple[str, ...]], tuple[Document, ...] | DocumentError] = {}
    for entry in files:
        if not entry["valid"] or entry["kind"] is None:
            continue
        kind = cast(LeafKind, entry["kind"])
        docs: tuple[Document, ...] = ()
        if kind == "knowledge" and not skip_documents:
            document = entry["content"].get("document")
            key = (str(document["repo"]), str(document["commit"]), tuple(document["patterns"]))
            if key not in resolved:
                if cache is None:
                    cache = DocumentCache(document_cache) if document_cache else _default_cache()
                try:
                    resolved[key] = cache.resolve(key[0], key[1], list(key[2]))
                except DocumentError as exc:
                    resolved[key] = exc
            found = resolved[key]
            if isinstance(found, DocumentError):
                problems.append(_document_problem(root, entry["path"], str(found)))
                continue
            docs = found
        leaves.append(Leaf(entry["path"], kind, entry["version"], entry["content"], docs))
    return ValidationReport(
        root=root,
        base=base,
        checked=tuple(entry["path"] for entry in files),
        leaves=tuple(leaves),
        problems=tuple(sorted(problems)),
    )


def _default_cache() -> DocumentCache:
    from instructlab.config import paths

    return DocumentCache(paths.cache_dir() / "documents")


def _document_problem(root: Path, path: str, message: str) -> Problem:
    """A document failure, pointing at the leaf's ``document`` key."""
    line, column = 1, 1
    try:
        _, values, keys = _native.load_yaml_located((root / path).read_bytes(), path)
        line, column = keys.get(("document",), values.get(("document",), (1, 1)))
    except Exception:  # the file parsed moments ago; a position is a nicety
        pass
    return Problem(
        path, line, column, ".document", f"knowledge documents: {message}", "error", "document"
    )


def leaves_or_raise(report: ValidationReport) -> list[Leaf]:
    """The report's leaves, or ``TaxonomyError`` listing every problem when one is invalid."""
    from instructlab.errors import TaxonomyError

    if not report.valid:
        raise TaxonomyError(str(report.root), list(report.problems))
    return sorted(report.leaves, key=lambda leaf: leaf.path)
