"""Uploading a model (a folder or one file) to InstructLab's destinations: a Hugging Face
repository (``hf``), an OCI registry (``oci``) or an S3 bucket (``s3``).

None leaves a half upload that looks complete: a Hugging Face commit is atomic; an OCI tag is
pushed only after every blob it names is in the registry; an S3 upload writes each object whole
(S3 shows an object only once it is complete) and writes its listing,
``.instructlab-upload.json``, last. OCI and S3 uploads resume: what is already there, with the
same SHA-256, is not sent again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from instructlab.errors import FileError

__all__ = ["DEST_TYPES", "UploadResult", "model_files", "sha256_of"]

#: The destinations, by InstructLab's ``--dest-type`` names.
DEST_TYPES = ("hf", "oci", "s3")


@dataclass(frozen=True)
class UploadResult:
    """What an upload did."""

    #: Where the model now is (a URL).
    destination: str
    #: ``hf``, ``oci`` or ``s3``.
    dest_type: str
    #: Files of the model.
    files: int
    #: Bytes of those files.
    bytes: int
    #: Files that were there already (an earlier, interrupted upload) and were not sent again.
    skipped: int
    seconds: float


def model_files(model: Path) -> list[tuple[str, Path]]:
    """(name in the upload, path) for a model file, or every file of a model folder (hidden
    files such as partial writes left out), sorted by name."""
    if model.is_file():
        return [(model.name, model)]
    if not model.is_dir():
        raise FileError(str(model), "no such file or folder")
    found = [
        (path.relative_to(model).as_posix(), path)
        for path in model.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(model).parts)
    ]
    if not found:
        raise FileError(str(model), "holds no files to upload")
    return sorted(found)


def sha256_of(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise FileError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    return digest.hexdigest()
