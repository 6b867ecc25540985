# Hand-written stub of the Rust extension (rust/instructlab-py); CI checks it with mypy.stubtest.
# A bad argument (an integer out of its range, an unknown option, a column of the wrong type)
# raises instructlab.errors.UsageError naming it: `param` is the argument, and the message starts
# with its name. Integer arguments are checked on the way in (negative, zero where it makes no
# sense, huge, or not an integer at all).
from collections.abc import Callable
from os import PathLike
from typing import Any, final

__all__ = [
    "Bm25Index",
    "LeafContent",
    "PackEngine",
    "SentenceEncoder",
    "VectorIndex",
    "__version__",
    "build_info",
    "changed_files",
    "check_taxonomy",
    "decontaminate",
    "exact_dedup",
    "filter_config",
    "filter_reasons",
    "flatten_packed",
    "gguf_tokenizer",
    "lint_yaml",
    "load_yaml",
    "load_yaml_located",
    "near_dedup",
    "normalize_text",
    "plan_packing",
    "qna_files_at",
    "quality_filter",
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

    ``files``: one dict per checked file (path, kind, version, valid, content), in path order;
    ``content`` is a ``LeafContent`` (converted to Python objects only when asked), or ``None``
    for a file that did not parse.
    ``problems``: ``(file, line, column, yaml_path, message, severity, rule)`` tuples, sorted.
    Raises ``GitError`` when ``base`` cannot be used, ``YamlSyntaxError`` for bad ``yaml_rules``.
    """

@final
class LeafContent:
    """A checked leaf's parsed content, turned into Python objects only when asked for."""

    def value(self) -> dict[str, Any]:
        """The whole content as dicts, lists and scalars (a fresh copy on every call)."""

    def get(self, key: str) -> Any:
        """The value of one top-level key, ``None`` when absent."""

def changed_files(root: str | PathLike[str], base: str) -> list[str]:
    """Files changed since the fork point of HEAD with ``base`` (committed, staged, unstaged,
    untracked; not deleted), relative to the repository root, sorted. Raises ``GitError``."""

def qna_files_at(root: str | PathLike[str], rev: str) -> list[tuple[str, str]]:
    """Every ``qna.yaml`` in the tree of ``rev`` (a branch, tag or commit) as ``(path, text)``
    pairs, sorted: the taxonomy as it was at that revision, read from git without a checkout.
    Raises ``GitError`` when ``root`` is no repository or ``rev`` names nothing."""

def lint_yaml(text: str, yaml_rules: str | None = None) -> list[tuple[int, int, str, str]]:
    """Lints YAML text with yamllint's rules (``yaml_rules``: a yamllint configuration; default:
    InstructLab's). Returns ``(line, column, rule, message)`` tuples, sorted."""

# Text columns (`column`, each of `columns`) are pyarrow string arrays or chunked arrays (utf8,
# large_utf8, utf8_view; read zero-copy through the Arrow PyCapsule interface) or lists of
# `str | None`; nulls read as "". Long calls release the GIL and stop on Ctrl-C.

def normalize_text(text: str, normalize: str = "default") -> str:
    """Normalises one text as the kernels do (raw, default, aggressive, or flags joined by +)."""

def exact_dedup(columns: list[Any], normalize: str = "default") -> bytes:
    """Cluster id per row (first equal row), as little-endian uint32 bytes."""

def near_dedup(
    column: Any,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    shingle: str = "words",
    normalize: str = "default",
    bands: tuple[int, int] | None = None,
    seed: int = 1,
    memory_budget: int = 1073741824,
    spill_dir: str | None = None,
) -> tuple[bytes, dict[str, int]]:
    """Cluster id per row (first row of its near-duplicate cluster) as uint32 bytes; counters."""

def filter_reasons() -> list[str | None]:
    """Reason names by code; code 0 (None) means kept."""

def filter_config(
    preset: str = "default", overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every threshold of a preset with overrides applied."""

def quality_filter(
    column: Any,
    questions: Any | None = None,
    token_counts: list[int] | None = None,
    preset: str = "default",
    overrides: dict[str, Any] | None = None,
) -> bytes:
    """One reason code per row (0 = kept), as uint8 bytes."""

def decontaminate(
    columns: list[Any],
    references: Any,
    ngram: int = 13,
    threshold: float = 0.0,
    normalize: str = "aggressive",
) -> tuple[bytes, bytes]:
    """Per row: n-gram overlap (float32 bytes) and first matching reference (int64 bytes)."""

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
    regroup: bool = True,
) -> dict[str, Any]:
    """Plans packing for sample lengths (u32 little-endian bytes)."""

def flatten_packed(
    input_ids: bytes, labels: bytes, offsets: bytes, samples: list[int]
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Lays out one packed micro-batch padding-free: ids, labels, position ids, cu_seqlens."""

def gguf_tokenizer(path: str | PathLike[str]) -> tuple[str, str | None, dict[str, str]]:
    """Rebuilds a GGUF file's tokenizer: (tokenizer.json text, chat template, special tokens)."""

@final
class SentenceEncoder:
    """A sentence-transformers model folder, loaded for encoding (no torch)."""

    def __new__(cls, folder: str | PathLike[str]) -> SentenceEncoder: ...
    @property
    def dimension(self) -> int:
        """Length of the vectors."""

    @property
    def max_tokens(self) -> int:
        """Tokens the model reads per text (longer texts are cut)."""

    @property
    def pooling(self) -> str:
        """``"mean"`` or ``"cls"``."""

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens in each text, without special tokens or truncation."""

    def encode(self, texts: list[str], progress: Callable[[int], object] | None = None) -> bytes:
        """Unit vectors as little-endian float32 bytes (len(texts) x dimension)."""

@final
class Bm25Index:
    """A BM25 index over chunk texts (ids are positions in ``texts``)."""

    def __new__(cls, texts: list[str], k1: float = 1.2, b: float = 0.75) -> Bm25Index: ...
    def __len__(self) -> int: ...
    def search(self, query: str, k: int) -> tuple[bytes, bytes]:
        """The k best ids (uint32 bytes) and scores (float32 bytes) for ``query``."""

@final
class VectorIndex:
    """Unit vectors (float32 bytes, rows of ``dimension``) held for exact search."""

    def __new__(cls, vectors: bytes, dimension: int) -> VectorIndex: ...
    def __len__(self) -> int: ...
    @property
    def dimension(self) -> int:
        """Values per vector."""

    def search(self, query: bytes, k: int) -> tuple[bytes, bytes]:
        """The k ids most similar to ``query`` (uint32 bytes) and their cosines (float32)."""
