"""The typed result of validating a taxonomy: every problem of every file, located."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from instructlab.taxonomy.leaf import Leaf

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, printed as ``path:line:col [yaml.path] message``."""

    #: The file, relative to the taxonomy root, ``/``-separated.
    file: str
    line: int
    column: int
    #: Where in the document (``.seed_examples[2].answer``); empty for text-level problems.
    yaml_path: str
    message: str
    severity: Severity = "error"
    #: ``syntax``, ``schema``, ``file``, ``document``, ``guideline``, ``attribution`` or the
    #: yamllint rule name.
    rule: str = "schema"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column} "
        path = f"[{self.yaml_path}] " if self.yaml_path else ""
        level = "warning: " if self.severity == "warning" else ""
        return f"{where}{path}{level}{self.message}"

    def github(self) -> str:
        """The problem as a GitHub Actions annotation."""
        path = f"[{self.yaml_path}] " if self.yaml_path else ""
        return (
            f"::{self.severity} file={self.file},line={self.line},col={self.column}"
            f"::{path}{self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "yaml_path": self.yaml_path,
            "message": self.message,
            "severity": self.severity,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class ValidationReport:
    """What validating a taxonomy found. Nothing is printed; the CLI renders it."""

    root: Path
    base: str
    #: Every leaf file checked (relative paths), sorted.
    checked: tuple[str, ...]
    #: The checked leaves that are valid, sorted by path.
    leaves: tuple[Leaf, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that make the taxonomy invalid."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems that are only shown."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def valid(self) -> bool:
        """Whether no checked file has an error."""
        return not self.errors

    @property
    def invalid_files(self) -> tuple[str, ...]:
        """The files with at least one error, sorted."""
        return tuple(sorted({p.file for p in self.errors}))

    def summary(self) -> str:
        """One line: how many leaves, errors and warnings."""
        n = len(self.checked)
        leaves = f"{n} changed lea{'f' if n == 1 else 'ves'}"
        if self.base == "empty":
            leaves = f"{n} lea{'f' if n == 1 else 'ves'}"
        e, w = len(self.errors), len(self.warnings)
        if e:
            bad = len(self.invalid_files)
            return (
                f"{leaves}: {bad} invalid, {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
            )
        return f"{leaves}, all valid" + (f" ({w} warning{'s' * (w != 1)})" if w else "")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (leaves without their content)."""
        return {
            "taxonomy": str(self.root),
            "base": self.base,
            "valid": self.valid,
            "checked": list(self.checked),
            "leaves": [
                {
                    "path": leaf.path,
                    "kind": leaf.kind,
                    "version": leaf.version,
                    "documents": [d.name for d in leaf.documents],
                }
                for leaf in self.leaves
            ],
            "problems": [p.to_dict() for p in self.problems],
            "summary": self.summary(),
        }
