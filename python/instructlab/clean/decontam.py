"""Decontamination: training rows that share word n-grams with evaluation or held-out text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab import _native
from instructlab.clean._deps import require, text_column
from instructlab.errors import FileError
from instructlab.fileio import read_text


@dataclass(frozen=True)
class DecontamResult:
    """Per row: the fraction of its n-grams found in a reference, and the first such reference."""

    overlap: Any  # numpy float32 array
    matched: Any  # numpy int64 array, -1 where none
    threshold: float

    @property
    def keep(self) -> Any:
        """A boolean numpy mask of the rows at or under the threshold."""
        return self.overlap <= self.threshold


def decontaminate(
    columns: Sequence[Any],
    references: Any,
    *,
    ngram: int = 13,
    threshold: float = 0.0,
    normalize: str = "aggressive",
) -> DecontamResult:
    """Compares each row's question/answer text (the ``columns``, pooled) with ``references``.

    Pass only question and answer text, never document or context passages. A row is dropped
    when more than ``threshold`` of its ``ngram``-word n-grams occur in a reference (default:
    any shared 13-gram).
    """
    np = require("numpy")
    overlap, matched = _native.decontaminate(
        [text_column(c) for c in columns], text_column(references), ngram, threshold, normalize
    )
    return DecontamResult(
        np.frombuffer(overlap, dtype="<f4"), np.frombuffer(matched, dtype="<i8"), threshold
    )


def _qna_texts(path: Path) -> list[str]:
    import yaml

    try:
        doc = yaml.safe_load(read_text(path, what="a qna.yaml"))
    except yaml.YAMLError as err:
        raise FileError(str(path), f"cannot read the qna.yaml: {err}") from err
    texts: list[str] = []
    examples = doc.get("seed_examples", []) if isinstance(doc, dict) else []
    for example in examples if isinstance(examples, list) else []:
        if not isinstance(example, dict):
            continue
        pairs = [example, *(example.get("questions_and_answers") or [])]
        for pair in pairs:
            if isinstance(pair, dict):
                texts.extend(str(pair[k]) for k in ("question", "answer") if pair.get(k))
    return texts


def load_references(references: Any) -> list[str]:
    """Reference texts from a list of strings, a qna.yaml, a folder of them (a taxonomy), or a
    JSONL/Parquet file (its question/answer columns, or the user/assistant messages)."""
    if isinstance(references, (list, tuple)) and all(isinstance(r, str) for r in references):
        return list(references)
    path = Path(references)
    if path.is_dir():
        files = sorted(path.rglob("qna.yaml"))
        if not files:
            raise FileError(str(path), "holds no qna.yaml (give a taxonomy folder or a file)")
        texts = [t for f in files for t in _qna_texts(f)]
    elif path.name.endswith((".yaml", ".yml")):
        texts = _qna_texts(path)
    else:
        from instructlab.clean.rows import load_rows

        rows = load_rows(path)
        columns = rows.qa_columns()
        if not columns:
            raise FileError(
                str(path),
                "holds no question/answer text (expected question and answer fields, or messages)",
            )
        texts = [t for name in columns for t in rows.texts(name) if t]
    if not texts:
        raise FileError(str(path), "holds no reference text to compare with")
    return texts
