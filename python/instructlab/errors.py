"""The exceptions instructlab raises, rooted at :class:`InstructLabError`.

Every error a user can cause carries a message written for people and an ``exit_code`` the CLI
returns. Errors raised by the Rust core are mapped onto these classes in exactly one place
(``rust/instructlab-py/src/errors.rs``).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ChatTemplateError",
    "ConfigError",
    "ConfigProblem",
    "FileError",
    "GitError",
    "InstructLabError",
    "Location",
    "MissingExtra",
    "ModelNotFound",
    "NotImplementedYet",
    "PackingError",
    "ProcessNotFound",
    "RequestFailed",
    "ServerError",
    "TaxonomyError",
    "TokenizerError",
    "UploadFailed",
    "UsageError",
    "YamlSyntaxError",
    "file_error",
]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: 1-based line and column, as editors count them."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


class InstructLabError(Exception):
    """The root of every error instructlab raises on purpose."""

    #: The process exit status the CLI uses for this error.
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(InstructLabError):
    """The command or call was used wrongly (a bad option value, a missing argument).

    ``param`` names the SDK argument at fault when there is one; the CLI then names the option
    that sets it (``--num-perm`` for ``num_perm``).
    """

    exit_code = 2

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class NotImplementedYet(InstructLabError, NotImplementedError):
    """A capability of the documented surface that this version does not provide yet."""

    exit_code = 3

    def __init__(self, capability: str, what: str) -> None:
        super().__init__(f"{what} is not implemented yet ({capability}).")
        self.capability = capability
        self.what = what


class FileError(InstructLabError):
    """A file could not be read or written."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.location = Location(file)
        self.reason = message


class YamlSyntaxError(InstructLabError):
    """A YAML file is not well-formed (or holds YAML we refuse, such as duplicate keys)."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.location = Location(file, line, column)
        self.reason = message
        super().__init__(f"{self.location}: {message}")


@dataclass(frozen=True)
class ConfigProblem:
    """One problem found in a configuration file."""

    key: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location} " if self.location else ""
        key = f"[{self.key}] " if self.key else ""
        return f"{where}{key}{self.message}"


class ConfigError(InstructLabError):
    """A configuration file is invalid; ``problems`` lists every problem, not just the first."""

    def __init__(self, file: str, problems: list[ConfigProblem]) -> None:
        self.file = file
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{file} has {count} {noun}:\n{lines}")


class GitError(InstructLabError):
    """A git repository could not be read, or a ref (branch, tag, commit) was not found."""

    #: The user named a repository or ref that cannot be used: a usage error.
    exit_code = 2

    def __init__(self, repository: str, message: str) -> None:
        super().__init__(f"{repository}: {message}")
        self.repository = repository
        self.reason = message


class TaxonomyError(InstructLabError):
    """A taxonomy is invalid; ``problems`` lists every problem of every file (errors first
    in file order), each as ``path:line:col [yaml.path] message``."""

    def __init__(self, root: str, problems: list[object]) -> None:
        self.root = root
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the taxonomy at {root} is invalid ({count} {noun}):\n{lines}")


class ChatTemplateError(InstructLabError):
    """A chat template failed to compile or to render."""

    def __init__(self, message: str) -> None:
        super().__init__(f"chat template: {message}")
        self.reason = message


class TokenizerError(InstructLabError):
    """A tokenizer could not be loaded or rebuilt (``tokenizer.json``, a model folder, a GGUF)."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.location = Location(file)
        self.reason = message


class PackingError(InstructLabError):
    """Packing cannot be planned with the given settings."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(f"packing: {message}")
        self.reason = message


class MissingExtra(InstructLabError):
    """A feature needs an optional dependency group (a pip "extra") that is not installed.

    The one error for every missing optional dependency: it names the feature, the extra that
    brings it and the command that installs it.
    """

    def __init__(self, feature: str, extra: str, detail: str = "") -> None:
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"{feature} needs the '{extra}' extra{more}: pip install 'instructlab[{extra}]'"
        )
        self.feature = feature
        self.extra = extra


class ModelNotFound(InstructLabError):
    """A model path or name that names nothing usable."""

    def __init__(self, model: str, detail: str) -> None:
        super().__init__(f"model '{model}': {detail}")
        self.model = model


class ServerError(InstructLabError):
    """A model server did not start, died, or answered with an error."""


class UploadFailed(InstructLabError):
    """An upload to a registry, bucket or repository failed (unreachable, refused, rejected)."""

    def __init__(self, destination: str, reason: str) -> None:
        super().__init__(f"{destination}: {reason}")
        self.destination = destination
        self.reason = reason


class RequestFailed(InstructLabError):
    """A request to an OpenAI-compatible endpoint failed for good (after its retries)."""

    def __init__(self, endpoint: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason
        self.status = status


class ProcessNotFound(InstructLabError):
    """No tracked background process has the given id."""

    def __init__(self, process_id: str) -> None:
        super().__init__(
            f"no background process '{process_id}'; `ilab process list` shows the known ones"
        )
        self.process_id = process_id


def _blocking_file(path: Path) -> Path | None:
    """The first component of ``path`` that is a file although a folder is needed there."""
    for parent in reversed(path.parents):
        if parent.is_file():
            return parent
    return None


def file_error(
    path: str | Path,
    exc: OSError | UnicodeDecodeError,
    action: str = "read",
    *,
    what: str = "",
) -> FileError:
    """The :class:`FileError` for an ``OSError`` or ``UnicodeDecodeError`` met on ``path``.

    The one place that turns what the operating system says into a message for people: it names
    the file (or the file in the way of a folder), says what went wrong in words, and, with
    ``what`` (``"a chat template"``), what the file was expected to be.
    """
    where = Path(path)
    expected = f"; expected {what}" if what else ""
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start : exc.start + 1].hex() if exc.object else "??"
        return FileError(
            str(path),
            f"is not UTF-8 text (byte 0x{byte} at offset {exc.start}){expected}",
        )
    if isinstance(exc, NotADirectoryError) or exc.errno == errno.ENOTDIR:
        blocker = _blocking_file(where)
        if blocker is not None:
            return FileError(str(path), f"{blocker} is a file, not a folder{expected}")
        return FileError(str(path), f"is a file, not a folder{expected}")
    if isinstance(exc, IsADirectoryError):
        return FileError(str(path), f"is a folder, not a file{expected}")
    if isinstance(exc, FileNotFoundError):
        return FileError(str(path), f"does not exist{expected}")
    if isinstance(exc, FileExistsError):
        return FileError(str(path), "already exists")
    if isinstance(exc, PermissionError):
        return FileError(str(path), f"permission denied: cannot {action} it")
    if exc.errno == errno.ENOSPC:
        return FileError(str(path), f"no space left on the device: cannot {action} it")
    reason = exc.strerror or str(exc) or type(exc).__name__
    return FileError(str(path), f"cannot {action} it: {reason}")
