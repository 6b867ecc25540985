"""`ilab rag convert` + `ilab rag ingest` + `ilab model chat --rag -qq` on the bundled example
document: the embedded model answers with the sources shown, nothing downloaded."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.rag.embed import PACKAGED_NAME

EXAMPLE = Path(str(resources.files("instructlab") / "data" / "example_docs"))


def _ilab(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_convert_ingest_and_chat_with_sources(tmp_path: Path) -> None:
    converted, store = tmp_path / "converted", tmp_path / "store"
    code, out = _ilab("rag", "convert", "--input-dir", str(EXAMPLE), "--output-dir", str(converted))
    assert code == 0, out
    assert (converted / "pollinators.json").is_file() and (converted / "pollinators.md").is_file()
    code, out = _ilab("rag", "convert", "--input-dir", str(EXAMPLE), "--output-dir", str(converted))
    assert code == 0 and "unchanged" in out  # kept, not converted again

    code, out = _ilab(
        "rag", "ingest", "--input-dir", str(converted), "--document-store-uri", str(store)
    )
    assert code == 0, out
    meta = json.loads((store / "ilab" / "store.json").read_text())
    assert meta["model_id"].startswith(PACKAGED_NAME + "@") and meta["dimension"] == 384
    assert "hybrid" in out

    code, out = _ilab(
        "rag", "retrieve", "Which animals pollinate agave at night?",
        "--document-store-uri", str(store), "--top-k", "2",
    )  # fmt: skip
    assert code == 0 and "bats" in out.lower(), out

    code, out = _ilab(
        "model", "chat", "-qq", "Which animals pollinate agave?", "--rag",
        "--document-store-uri", str(store), "--max-tokens", "24", "--temperature", "0",
    )  # fmt: skip
    assert code == 0, out
    sources = out[out.index("Sources:") :].splitlines()
    assert sources[1].startswith("  [1] pollinators.md > ")
    assert len(sources) == 4  # top-k 3


def test_chat_refuses_a_store_of_another_model(tmp_path: Path) -> None:
    from rag.tiny import write_sentence_model

    tiny = write_sentence_model(tmp_path / "tiny", max_seq_length=64)
    store = tmp_path / "store"
    code, out = _ilab(
        "rag", "ingest", "--input-dir", str(EXAMPLE), "--document-store-uri", str(store),
        "--embedding-model", str(tiny),
    )  # fmt: skip
    assert code == 0, out
    # The store's model is not the one chat would use (the packaged MiniLM): exit 1, no chat.
    code, out = _ilab("model", "chat", "-qq", "bees?", "--rag", "--document-store-uri", str(store))
    assert code == 1
    assert "was built with the embedding model tiny@" in out


def test_a_store_without_a_model_is_searched_by_bm25_said_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, out = _ilab(
        "rag", "ingest", "--input-dir", str(EXAMPLE), "--document-store-uri", str(store),
        "--embedding-model", "none",
    )  # fmt: skip
    assert code == 0 and "BM25 only" in out, out
    code, out = _ilab(
        "model", "chat", "-qq", "Which animals pollinate agave?", "--rag",
        "--document-store-uri", str(store), "--max-tokens", "16", "--temperature", "0",
    )  # fmt: skip
    assert code == 0, out
    assert out.count("BM25") == 1 and "Sources:" in out


def test_a_named_model_that_is_missing_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"rag:\n  embedding_model:\n    embedding_model_name: {tmp_path / 'gone'}\n",
        encoding="utf-8",
    )
    code, out = _ilab(
        "--config", str(config), "rag", "ingest", "--input-dir", str(EXAMPLE),
        "--document-store-uri", str(tmp_path / "store"),
    )  # fmt: skip
    assert code == 1 and "no such embedding model folder" in out


def test_convert_takes_the_changed_leaves_documents(taxonomy: Path, tmp_path: Path) -> None:
    out = tmp_path / "converted"
    code, text = _ilab(
        "rag", "convert", "--taxonomy-path", str(taxonomy), "--taxonomy-base", "empty",
        "--output-dir", str(out),
    )  # fmt: skip
    assert code == 0, text
    assert sorted(p.name for p in out.glob("[!.]*.json")) == ["pollinators.json"]
