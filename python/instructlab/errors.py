"""The exceptions instructlab raises, rooted at :class:`InstructLabError`.

Every error a user can cause carries a message written for people and an ``exit_code`` the CLI
returns. Errors raised by the Rust core are mapped onto these classes in exactly one place
(``rust/instructlab-py/src/errors.rs``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "FileError",
    "GitError",
    "InstructLabError",
    "Location",
    "NotImplementedYet",
    "TaxonomyError",
    "UsageError",
    "YamlSyntaxError",
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
    """The command or call was used wrongly (a bad option value, a missing argument)."""

    exit_code = 2


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
