"""``ilab rag convert``: documents to Docling JSON (v2) and Markdown, one pair per document.

Inputs are read by :func:`instructlab.documents.convert_document` (the same reading SDG uses).
Outputs already in the folder are kept: a source whose content hash matches the one recorded
in the folder's manifest (``.ilab-convert.json``) is not converted again. Unsupported files
are listed and skipped; files that fail are named with the reason, and the others still go
through.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.documents import SUPPORTED_SUFFIXES, StructuredDocument, convert_document
from instructlab.errors import FileError, InstructLabError
from instructlab.fileio import atomic_write_text, ensure_dir, read_bytes, read_text
from instructlab.rag.progress import NO_PROGRESS, Progress

__all__ = ["MANIFEST", "ConvertResult", "collect_inputs", "convert_files", "source_name"]

MANIFEST = ".ilab-convert.json"


@dataclass
class ConvertResult:
    """What a conversion did, file by file."""

    output_dir: Path
    #: Sources converted now, and where their Docling JSON went.
    converted: list[tuple[Path, Path]] = field(default_factory=list)
    #: Sources unchanged since their last conversion (outputs kept).
    reused: list[tuple[Path, Path]] = field(default_factory=list)
    #: Files of a type that cannot be converted (skipped).
    unsupported: list[Path] = field(default_factory=list)
    #: Files that failed, with the reason.
    failed: list[tuple[Path, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def outputs(self) -> list[Path]:
        """Every Docling JSON file this conversion stands for (new and kept)."""
        return [out for _, out in self.converted + self.reused]


def collect_inputs(root: Path) -> tuple[list[Path], list[Path]]:
    """Supported and unsupported files under ``root`` (recursively; hidden ones skipped).

    Raises:
        FileError: ``root`` is missing or not a folder.
    """
    if not root.exists():
        raise FileError(str(root), "no such folder")
    if root.is_file():
        if root.suffix.lower() in SUPPORTED_SUFFIXES:
            return [root], []
        return [], [root]
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    supported = [p for p in files if p.suffix.lower() in SUPPORTED_SUFFIXES]
    return supported, [p for p in files if p.suffix.lower() not in SUPPORTED_SUFFIXES]


def source_name(path: Path, root: Path | None) -> str:
    """The name a document is known by: its path relative to the input folder."""
    if root is not None and root.is_dir():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


def _digest(path: Path) -> str:
    return hashlib.sha256(read_bytes(path)).hexdigest()


def _load_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(read_text(path))
    except (ValueError, FileError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(doc: StructuredDocument, native: Any, name: str, digest: str, target: Path) -> None:
    from docling_core.types.doc import DocumentOrigin

    from instructlab.documents.docling_io import to_docling

    document = native if native is not None else to_docling(doc)
    document.origin = DocumentOrigin(
        mimetype="application/octet-stream",
        binary_hash=int(digest[:16], 16),
        filename=name,
    )
    atomic_write_text(target, document.model_dump_json())
    atomic_write_text(target.with_suffix(".md"), doc.to_markdown())


def convert_files(
    files: Sequence[Path],
    output_dir: Path,
    root: Path | None = None,
    progress: Progress = NO_PROGRESS,
) -> ConvertResult:
    """Converts ``files`` into ``output_dir`` (see the module documentation)."""
    from instructlab.extras import require

    require("docling_core", "rag", "writing converted documents (Docling JSON)")
    started = time.perf_counter()
    if output_dir.exists() and not output_dir.is_dir():
        raise FileError(str(output_dir), "is a file, not a folder for converted documents")
    ensure_dir(output_dir)
    manifest = _load_manifest(output_dir)
    result = ConvertResult(output_dir)
    taken: set[str] = set()
    progress.start("convert", len(files))
    for path in files:
        name = source_name(path, root)
        stem = Path(name).with_suffix("").as_posix().replace("/", "__")
        if stem in taken:
            stem = f"{stem}_{path.suffix.lstrip('.')}"
        taken.add(stem)
        target = output_dir / f"{stem}.json"
        try:
            digest = _digest(path)
            entry = manifest.get(target.name)
            if (
                isinstance(entry, dict)
                and entry.get("sha256") == digest
                and target.is_file()
                and target.with_suffix(".md").is_file()
            ):
                result.reused.append((path, target))
            else:
                doc, native = convert_document(path)
                _write(doc, native, name, digest, target)
                manifest[target.name] = {"source": name, "sha256": digest}
                result.converted.append((path, target))
        except InstructLabError as exc:
            result.failed.append((path, str(exc)))
        progress.advance("convert")
    atomic_write_text(output_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    result.seconds = time.perf_counter() - started
    return result
