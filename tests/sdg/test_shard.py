"""Shards: the one content-addressed key, the leaf content hash, and a shard's files."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from instructlab.sdg.report import BlockReport
from instructlab.sdg.shard import Shard, ShardFiles, ShardSettings, leaf_hash, shard_key
from instructlab.taxonomy import Document, Leaf

BASE = {
    "name": "skills/poems/qna.yaml",
    "leaf_content": "c" * 64,
    "pipeline": "p" * 64,
    "teacher": "mock-teacher",
    "settings": ShardSettings("mixtral", 30, 4096, 1000, 4096),
    "chunk": (0, 20),
}


def test_the_key_changes_with_each_part_and_only_with_them() -> None:
    key = shard_key(**BASE)  # type: ignore[arg-type]
    assert key == shard_key(**BASE)  # type: ignore[arg-type]
    assert len(key) == 64
    changed = {
        "name": "skills/poems/qna.yaml#mmlu_branch",
        "leaf_content": "d" * 64,
        "pipeline": "q" * 64,
        "teacher": "another-teacher",
        "settings": ShardSettings("mixtral", 31, 4096, 1000, 4096),
        "chunk": (20, 40),
    }
    for part, value in changed.items():
        assert shard_key(**{**BASE, part: value}) != key, part  # type: ignore[arg-type]
    for setting in ("model_family", "max_num_tokens", "chunk_word_count", "server_ctx_size", "api"):
        other = dataclasses.replace(BASE["settings"], **{setting: "x"})  # type: ignore[arg-type]
        assert shard_key(**{**BASE, "settings": other}) != key, setting  # type: ignore[arg-type]


def _shard(rows: int = 3, first: int = 0) -> Shard:
    return Shard(
        BASE["name"],  # type: ignore[arg-type]
        "freeform_skill",
        BASE["leaf_content"],  # type: ignore[arg-type]
        Path("/p/freeform_skills.yaml"),
        "/p",
        BASE["pipeline"],  # type: ignore[arg-type]
        BASE["teacher"],  # type: ignore[arg-type]
        BASE["settings"],  # type: ignore[arg-type]
        first,
        tuple({"task_description": f"t{i}"} for i in range(rows)),
    )


def test_a_shard_is_keyed_by_its_chunk_of_the_leaf() -> None:
    shard = _shard(20)
    assert shard.chunk == (0, 20)
    assert shard.key == shard_key(**BASE)  # type: ignore[arg-type]
    assert _shard(20, first=20).key != shard.key
    assert shard.folder == f"skills_poems_qna.yaml-{shard.key[:12]}"


def test_the_leaf_hash_covers_its_content_and_its_documents_bytes(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("Bees dance.", encoding="utf-8")
    content = {"version": 3, "domain": "bees"}

    def leaf(path: str = "knowledge/bees/qna.yaml", **changes: object) -> Leaf:
        return Leaf(
            path,
            "knowledge",
            3,
            {**content, **changes},  # type: ignore[arg-type]
            (Document("repo", "0" * 40, "doc.md", doc),),
        )

    first = leaf_hash(leaf())
    assert leaf_hash(leaf()) == first
    assert leaf_hash(leaf(domain="wasps")) != first
    assert leaf_hash(leaf("knowledge/wasps/qna.yaml")) != first
    doc.write_text("Bees dance well.", encoding="utf-8")
    assert leaf_hash(leaf()) != first


def test_a_finished_shard_is_one_with_its_key_and_its_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = ShardFiles(tmp_path / "shard")
    shard = _shard()
    assert files.finished(shard.key) is None  # nothing there yet
    blocks = [BlockReport("gen", "LLMBlock", 3, 2, drops={"dup": 1})]
    files.write(shard.key, [{"a": 1}, {"a": 2}], blocks)
    assert files.finished(shard.key) == ([{"a": 1}, {"a": 2}], blocks)
    marker = json.loads(files.marker.read_text())
    assert marker["key"] == shard.key and marker["rows"] == 2
    # Another shard's marker, a shard that yielded nothing, a rows file cut short: run again.
    assert files.finished("0" * 64) is None
    with caplog.at_level(logging.WARNING, logger="instructlab.sdg"):
        files.rows.write_text('{"a": 1}\n', encoding="utf-8")
        assert files.finished(shard.key) is None
    assert "holds 1 rows, not 2" in caplog.text
    files.write(shard.key, [], blocks)
    assert files.finished(shard.key) is None
