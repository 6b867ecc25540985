# Hand-written stub of the Rust extension (rust/instructlab-py); CI checks it with mypy.stubtest.
from os import PathLike
from typing import Any, final

__all__ = [
    "PackEngine",
    "__version__",
    "build_info",
    "flatten_packed",
    "gguf_tokenizer",
    "load_yaml",
    "load_yaml_located",
    "plan_packing",
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

@final
class PackEngine:
    """A chat template, a tokenizer and sample settings: turns JSONL records into masked samples."""

    def __new__(
        cls,
        tokenizer_json: str,
        chat_template: str,
        special_tokens: dict[str, str],
        max_seq_len: int,
        min_seq_len: int = 2,
        end_of_turn: str | None = None,
        source_name: str = "tokenizer.json",
    ) -> PackEngine: ...
    def render(self, messages_json: str, add_generation_prompt: bool = False) -> str:
        """Renders a conversation (a JSON list of messages) as the chat template does."""

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, without added special tokens."""

    def timings(self) -> tuple[float, float]:
        """Seconds so far, summed over threads: (in the tokenizer, on whole records)."""

    def process(self, lines: list[str]) -> dict[str, Any]:
        """Processes JSONL lines in parallel; numeric arrays come back as little-endian bytes."""

def plan_packing(
    lengths: bytes,
    token_budget: int,
    ranks: int,
    effective_batch_size: int,
    seed: int | None = None,
) -> dict[str, Any]:
    """Plans packing for sample lengths (u32 little-endian bytes)."""

def flatten_packed(
    input_ids: bytes, labels: bytes, offsets: bytes, samples: list[int]
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Lays out one packed micro-batch padding-free: ids, labels, position ids, cu_seqlens."""

def gguf_tokenizer(path: str | PathLike[str]) -> tuple[str, str | None, dict[str, str]]:
    """Rebuilds a GGUF file's tokenizer: (tokenizer.json text, chat template, special tokens)."""
