"""`ilab data ingest|mix|list`: they call the SDK and show tables; errors exit cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.core import Data
from instructlab.fileio import read_jsonl, write_jsonl


def _messages(n: int) -> list[dict[str, object]]:
    return [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
        for i in range(n)
    ]


def test_ingest_shows_chunks_and_writes_them(tmp_path: Path) -> None:
    doc = tmp_path / "bees.md"
    doc.write_text("Bees dance. " * 100, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["data", "ingest", str(doc), "--chunk-word-count", "50", "--output-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "bees.md" in result.output and "200" in result.output
    chunks = read_jsonl(out / "bees.md.chunks.jsonl")
    assert len(chunks) == 4 and chunks[0]["chunk"] == 0
    assert chunks[0]["document"].split() == ["Bees", "dance."] * 25


def test_ingest_of_an_unsupported_file_exits_1(tmp_path: Path) -> None:
    doc = tmp_path / "x.xlsx"
    doc.write_bytes(b"x")
    result = CliRunner().invoke(cli, ["data", "ingest", str(doc)])
    assert result.exit_code == 1
    assert "unsupported document type '.xlsx'" in result.output
    assert "Traceback" not in result.output


def test_sdk_ingest_uses_the_configured_chunk_size(tmp_path: Path) -> None:
    doc = tmp_path / "d.txt"
    doc.write_text("Word. " * 1500, encoding="utf-8")
    (ingested,) = Data().ingest([doc])
    assert ingested.chunk_word_count == 1000 and len(ingested.chunks) == 2


def test_mix_a_recipe_file(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", _messages(5))
    recipe = tmp_path / "skills_recipe_x.yaml"
    recipe.write_text(yaml.safe_dump({"datasets": [{"path": "a.jsonl", "sampling_size": 3}]}))
    out = tmp_path / "mixed"
    result = CliRunner().invoke(
        cli, ["data", "mix", "--recipe", str(recipe), "--output-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 records" in result.output
    assert len(read_jsonl(out / "skills_train_msgs_x.jsonl")) == 3


def test_mix_drops_duplicates_and_test_set_leaks_unless_told_not_to(tmp_path: Path) -> None:
    leak = "Soft rain on the roof, a steady tin drum at night, the old house sleeps sound."
    rows = _messages(3)
    rows.append(_messages(1)[0])  # a duplicate of q0
    rows.append({"messages": [{"role": "user", "content": "Verse?"},
                              {"role": "assistant", "content": leak}]})  # fmt: skip
    write_jsonl(tmp_path / "a.jsonl", rows)
    write_jsonl(tmp_path / "test_x.jsonl", [{"user": "A poem on rain.", "assistant": leak}])
    recipe = tmp_path / "skills_recipe_x.yaml"
    recipe.write_text(yaml.safe_dump({"datasets": [{"path": "a.jsonl", "sampling_size": 1.0}]}))
    out = tmp_path / "mixed"
    args = ["data", "mix", "--recipe", str(recipe), "--output-dir", str(out)]
    result = CliRunner().invoke(cli, [*args, "--test-set", str(tmp_path / "test_x.jsonl")])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 records" in result.output
    assert "Removed 1 rows: exact duplicate" in result.output
    assert "Removed 1 rows: test-set overlap" in result.output
    plain = CliRunner().invoke(cli, [*args, "--no-dedup"])
    assert plain.exit_code == 0, plain.output
    assert "Wrote 5 records" in plain.output and "Removed" not in plain.output


def test_mix_a_default_recipe_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "share"
    recipes = share / "instructlab" / "sdg" / "default_data_recipes"
    recipes.mkdir(parents=True)
    write_jsonl(recipes / "base.jsonl", _messages(2))
    (recipes / "knowledge.yaml").write_text(
        yaml.safe_dump(
            {
                "datasets": [{"path": "base.jsonl", "sampling_size": 1.0}],
                "metadata": {"sys_prompt": "S"},
            }
        )
    )
    monkeypatch.setenv("XDG_DATA_DIRS", str(share))
    result = Data().mix("knowledge", tmp_path / "out")
    assert result.rows == 2
    record = read_jsonl(tmp_path / "out" / "knowledge_train_msgs.jsonl")[0]
    assert record["messages"][0] == {"role": "system", "content": "S"}
    missing = CliRunner().invoke(cli, ["data", "mix", "--recipe", "skills"])
    assert missing.exit_code == 2
    assert "recipe 'skills' not found" in missing.output


def test_list_shows_runs_and_files(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "run-a" / "skills_train_msgs.jsonl", _messages(7))
    result = CliRunner().invoke(cli, ["data", "list", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "run-a" in result.output and "7" in result.output
    files = CliRunner().invoke(cli, ["data", "list", "--output-dir", str(tmp_path), "--files"])
    assert "skills_train_msgs.jsonl" in files.output
    missing = CliRunner().invoke(cli, ["data", "list", "--output-dir", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "none: does not exist" in missing.output
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(cli, ["data", "list", "--output-dir", str(tmp_path / "empty")])
    assert empty.exit_code == 0 and "No generated data yet in" in empty.output


def test_sdk_list_defaults_to_the_configured_output_dir(tmp_path: Path) -> None:
    assert Data().list() == []
    runs = Data(output_dir=tmp_path).list()
    assert runs == []
    write_jsonl(tmp_path / "r" / "x.jsonl", _messages(1))
    assert [r.name for r in Data(output_dir=tmp_path).list()] == ["r"]
