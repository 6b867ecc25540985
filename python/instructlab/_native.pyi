# Hand-written stub of the Rust extension (rust/instructlab-py); CI checks it with mypy.stubtest.
from os import PathLike
from typing import Any

__all__ = [
    "__version__",
    "build_info",
    "changed_files",
    "check_taxonomy",
    "lint_yaml",
    "load_yaml",
    "load_yaml_located",
]

__version__: str

def build_info() -> dict[str, Any]:
    """How the native core was built: version, rustc, profile, target, opt level, assertions."""

def load_yaml(source: bytes, file: str = "<string>") -> Any:
    """Parses one YAML document with PyYAML's typing rules; duplicate keys are refused.

    Raises ``YamlSyntaxError`` (with file, line and column) on bad input. The GIL is released
    while parsing.
    """

def load_yaml_located(
    source: bytes, file: str = "<string>"
) -> tuple[Any, dict[tuple[Any, ...], tuple[int, int]], dict[tuple[Any, ...], tuple[int, int]]]:
    """Like ``load_yaml``, plus where things are.

    Returns ``(value, values, keys)``: ``values`` maps each key path to the (line, column) of its
    value, ``keys`` maps each mapping entry's path to the (line, column) of its key.
    """

def check_taxonomy(
    root: str | PathLike[str],
    base: str = "empty",
    *,
    include_foundational: bool = False,
    yaml_rules: str | None = None,
    yaml_rules_file: str = "<yaml-rules>",
    word_counts: bool = False,
    attribution: bool = False,
    paths: list[str] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, int, int, str, str, str, str]]]:
    """Finds the leaves to check (all with ``base="empty"``, else those changed since ``base``),
    checks them in parallel, and returns ``(files, problems)``.

    ``files``: one dict per checked file (path, kind, version, valid, content), in path order.
    ``problems``: ``(file, line, column, yaml_path, message, severity, rule)`` tuples, sorted.
    Raises ``GitError`` when ``base`` cannot be used, ``YamlSyntaxError`` for bad ``yaml_rules``.
    """

def changed_files(root: str | PathLike[str], base: str) -> list[str]:
    """Files changed since the fork point of HEAD with ``base`` (committed, staged, unstaged,
    untracked; not deleted), relative to the repository root, sorted. Raises ``GitError``."""

def lint_yaml(text: str, yaml_rules: str | None = None) -> list[tuple[int, int, str, str]]:
    """Lints YAML text with yamllint's rules (``yaml_rules``: a yamllint configuration; default:
    InstructLab's). Returns ``(line, column, rule, message)`` tuples, sorted."""
