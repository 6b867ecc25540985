"""Reading and writing the files a user can open, one way everywhere.

- Writes are atomic: the data goes to a hidden partial file beside the target, is flushed to disk
  (``fsync``), and only then renamed over the target, so a kill or a full disk never leaves a
  half-written file that looks finished. A folder is built the same way (:func:`atomic_dir`).
- Reads name the file in every error: a missing or unreadable file, a folder where a file was
  expected, bytes that are not UTF-8, a JSON line that is not an object (with its line number) —
  all as :class:`~instructlab.errors.FileError`, never a bare ``OSError``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from instructlab.errors import FileError, file_error

__all__ = [
    "atomic_dir",
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_dir",
    "count_jsonl_rows",
    "ensure_dir",
    "iter_jsonl",
    "read_bytes",
    "read_jsonl",
    "read_text",
    "write_jsonl",
]

Row = dict[str, Any]


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def ensure_dir(path: str | Path) -> Path:
    """Creates the folder ``path`` (and its parents) unless it exists; returns it.

    Raises:
        FileError: a file stands where the folder (or one of its parents) should be, or the
            folder cannot be created.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileError(str(folder), "is a file, not a folder") from None
    except OSError as exc:
        raise file_error(folder, exc, "create the folder") from None
    return folder


def check_dir(path: str | Path, what: str = "folder") -> Path:
    """``path`` if it is a folder, or could be made one (nothing is created: a dry run can
    check its output folder). :class:`FileError` names the file in the way, or the folder that
    cannot be written."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise FileError(str(folder), f"is a file, not a {what}")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise FileError(str(folder), f"{existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise FileError(str(folder), f"permission denied: cannot write in {existing}")
    return folder


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file handle whose content replaces ``path`` only when the block ends without error.

    ``mode`` is ``"w"`` (UTF-8 text) or ``"wb"``. The parent folder is created. On error the
    partial file is removed and ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes with 'w' or 'wb', not {mode!r}")
    target = Path(path)
    ensure_dir(target.parent)
    if target.is_dir():
        raise FileError(str(target), "is a folder, not a file")
    partial = _partial(target)
    try:
        handle = partial.open(mode, encoding="utf-8" if mode == "w" else None)
    except OSError as exc:
        raise file_error(target, exc, "write") from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise file_error(target, exc, "write") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Writes ``data`` to ``path`` atomically (see :func:`atomic_open`); returns the path."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Writes UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_open`); returns the path."""
    with atomic_open(path, "w") as handle:
        handle.write(text)
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Yields a fresh partial folder beside ``path``; when the block ends without error it becomes
    ``path``, otherwise it is removed.

    An empty folder at ``path`` is replaced. If another process made ``path`` meanwhile (the
    partial folder's name holds our pid, so two processes never share one), theirs is kept and
    ours removed: both were built from the same input.
    """
    target = Path(path)
    ensure_dir(target.parent)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        yield partial
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        if target.exists():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.rename(target)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise file_error(target, exc, "create") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file; :class:`FileError` names it when it cannot be read."""
    source = Path(path)
    try:
        return source.read_bytes()
    except OSError as exc:
        raise file_error(source, exc) from None


def read_text(path: str | Path, what: str = "") -> str:
    """The UTF-8 text of a file; :class:`FileError` names it when it cannot be read or is not
    text. ``what`` says what the file was meant to be (``"a chat template"``) in the message."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise file_error(path, exc, what=what) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise file_error(path, exc, what=what) from None


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, str, Row]]:
    """``(line number, raw line, object)`` for every non-blank line of a JSON-lines file, as a
    stream (the raw line lets a caller write kept rows back byte for byte).

    Raises:
        FileError: the file cannot be read or is not UTF-8, or a line is not a JSON object
            (file and line named).
    """
    source = Path(path)
    try:
        # Bytes, decoded line by line: a decoding error names its own line, not the first line
        # of the buffer it was found in.
        with source.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise file_error(f"{source}:{number}", exc) from None
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FileError(f"{source}:{number}", f"not valid JSON ({exc.msg})") from None
                if not isinstance(value, dict):
                    raise FileError(f"{source}:{number}", "expected a JSON object on each line")
                yield number, line, value
    except OSError as exc:
        raise file_error(source, exc) from None


def read_jsonl(path: str | Path) -> list[Row]:
    """Every object of a JSON-lines file (blank lines are skipped); see :func:`iter_jsonl`."""
    return [row for _, _, row in iter_jsonl(path)]


def write_jsonl(
    path: str | Path,
    rows: Iterable[Mapping[str, Any]],
    default: Callable[[Any], Any] | None = None,
) -> int:
    """Writes rows as JSON lines (UTF-8, not ASCII-escaped), atomically; returns the row count.
    ``default`` turns values JSON cannot hold into ones it can (as :func:`json.dumps`)."""
    count = 0
    with atomic_open(path, "w") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=default))
            handle.write("\n")
            count += 1
    return count


def count_jsonl_rows(path: str | Path) -> int:
    """Non-empty lines of a JSON-lines file (cheap: nothing is parsed)."""
    try:
        with Path(path).open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError as exc:
        raise file_error(path, exc) from None
