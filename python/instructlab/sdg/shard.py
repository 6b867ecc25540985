"""A run's work as data: shards, their one content-addressed key, and their files.

A **shard** is one chunk of one leaf's seed rows going through the pipeline for the leaf's kind.
It is a plain record (:class:`Shard`): everything needed to run it is in it (the seed rows, the
pipeline file, the teacher model, the settings), so an executor can run it anywhere.

Its **key** (:func:`shard_key`, the one definition) is a SHA-256 over:

- the leaf: its name in the run (the ``qna.yaml`` path; ``#mmlu_branch`` appended for the
  MMLU-branch data of a knowledge leaf) and its content hash (:func:`leaf_hash`: the parsed
  ``qna.yaml`` and the bytes of every document it names);
- the pipeline: :meth:`instructlab.sdg.pipeline.Pipeline.fingerprint` (each block's entry in the
  pipeline file and the prompt files and generation settings it resolved);
- the teacher model (the model name every request carries);
- the settings that decide the requests (:class:`ShardSettings`);
- the seed-row chunk: ``[first, stop)`` of the leaf's seed rows.

Equal keys mean equal requests, so equal output from a deterministic teacher: a run continues a
shard whose key it finds finished, and a later run may reuse it. The shard's files live in the
run's ``shards/<leaf>-<key[:12]>/`` (:class:`ShardFiles`): its own request cache
(``requests.jsonl``), its rows (``rows.jsonl``) and the completion marker (``done.json``: the
key, the row count and the block counters), written last.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.errors import FileError
from instructlab.fileio import atomic_write_text, read_bytes, read_jsonl, read_text, write_jsonl
from instructlab.sdg.report import BlockReport

if TYPE_CHECKING:
    from instructlab.sdg.block import Row
    from instructlab.taxonomy.leaf import Leaf

__all__ = [
    "SHARDS_FOLDER",
    "Shard",
    "ShardFiles",
    "ShardSettings",
    "leaf_hash",
    "leaf_slug",
    "shard_key",
]

log = logging.getLogger("instructlab.sdg")

#: Where a run keeps its shards' folders.
SHARDS_FOLDER = "shards"


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def leaf_hash(leaf: Leaf) -> str:
    """The content hash of a leaf: its path, kind, parsed ``qna.yaml`` and the SHA-256 of each
    of its documents' bytes (what a knowledge leaf's seed rows are cut from)."""
    documents = [[doc.name, hashlib.sha256(read_bytes(doc.path)).hexdigest()]
                 for doc in leaf.documents]  # fmt: skip
    return _digest([leaf.path, leaf.kind, leaf.content, documents])


@dataclass(frozen=True)
class ShardSettings:
    """The run settings that decide a shard's requests (besides its pipeline and teacher)."""

    #: The prompt family (completions API), None: detected from the model name.
    model_family: str | None = None
    #: Samples per seed example (``n: scaled``).
    num_instructions_to_generate: int | None = None
    #: The longest knowledge answer in tokens.
    max_num_tokens: int | None = None
    #: Words per knowledge document chunk, and the context that may shrink them.
    chunk_word_count: int | None = None
    server_ctx_size: int | None = None
    #: ``chat`` or ``completions``.
    api: str = "chat"


def shard_key(
    name: str,
    leaf_content: str,
    pipeline: str,
    teacher: str,
    settings: ShardSettings,
    chunk: tuple[int, int],
) -> str:
    """The content-addressed key of a shard (see the module): equal keys, equal requests."""
    return _digest(
        {
            "leaf": {"name": name, "content": leaf_content},
            "pipeline": pipeline,
            "teacher": teacher,
            "settings": asdict(settings),
            "chunk": list(chunk),
        }
    )


def leaf_slug(name: str) -> str:
    """A file name for a leaf path (``a/b/c`` -> ``a_b_c``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip("/")) or "leaf"


@dataclass(frozen=True)
class Shard:
    """One chunk of a leaf's seed rows for the pipeline of the leaf's kind (see the module)."""

    #: The leaf's name in the run (its ``qna.yaml`` path, ``#mmlu_branch`` for MMLU-branch data).
    name: str
    #: ``knowledge``, ``freeform_skill``, ``grounded_skill`` or ``eval`` (MMLU-branch data).
    kind: str
    #: :func:`leaf_hash` of the leaf.
    leaf_content: str
    #: The pipeline file run, the pipeline directory it belongs to, and its fingerprint.
    pipeline_file: Path
    pipeline: str
    pipeline_hash: str
    #: The model name every request carries.
    teacher: str
    settings: ShardSettings
    #: The index of the first seed row among the leaf's, and the chunk's rows.
    first_row: int
    rows: tuple[Row, ...]

    @property
    def chunk(self) -> tuple[int, int]:
        """``[first, stop)`` of the leaf's seed rows."""
        return self.first_row, self.first_row + len(self.rows)

    @functools.cached_property
    def key(self) -> str:
        """The shard's content-addressed key (:func:`shard_key`)."""
        return shard_key(
            self.name,
            self.leaf_content,
            self.pipeline_hash,
            self.teacher,
            self.settings,
            self.chunk,
        )

    @property
    def folder(self) -> str:
        """The shard's folder name in the run's ``shards/``: readable, and unique by key."""
        return f"{leaf_slug(self.name)}-{self.key[:12]}"


class ShardFiles:
    """A shard's files in ``folder``: request cache, rows, completion marker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests = folder / "requests.jsonl"
        self.rows = folder / "rows.jsonl"
        self.marker = folder / "done.json"

    def finished(self, key: str) -> tuple[list[Row], list[BlockReport]] | None:
        """The rows and block counters of the shard with ``key`` if an earlier run finished it
        with rows; None otherwise.

        A shard that yielded nothing runs again (answered requests come from its cache). A
        damaged file (a kill during a copy, a disk error, an edit by hand) makes it unfinished
        too, with a warning.
        """
        if not self.marker.exists():
            return None
        try:
            done = json.loads(read_text(self.marker))
            if not isinstance(done, dict) or done.get("key") != key:
                raise ValueError("not this shard's completion marker")
            blocks = [BlockReport.from_dict(b) for b in done["blocks"]]
            rows = read_jsonl(self.rows)
            if len(rows) != done["rows"]:
                raise ValueError(f"{self.rows} holds {len(rows)} rows, not {done['rows']}")
        except FileError as exc:
            problem = exc.message
        except (ValueError, KeyError, TypeError) as exc:
            problem = f"{self.marker}: not a valid completion marker ({exc})"
        else:
            return (rows, blocks) if rows else None
        log.warning(
            "%s; generating this shard again (answered requests come from its cache)", problem
        )
        return None

    def write(self, key: str, rows: list[Row], blocks: list[BlockReport]) -> None:
        """Writes the rows, then the completion marker (each atomically)."""
        write_jsonl(self.rows, rows, default=str)
        marker = {"key": key, "rows": len(rows), "blocks": [b.as_dict() for b in blocks]}
        atomic_write_text(self.marker, json.dumps(marker, indent=1))
