# Hand-written stub of the Rust extension (rust/instructlab-py); CI checks it with mypy.stubtest.
from typing import Any

__all__ = ["__version__", "build_info", "load_yaml", "load_yaml_located"]

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
