"""process_data: JSONL in, Parquet + summary out, drops counted, unchanged re-runs reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.errors import FileError, UsageError
from instructlab.train.data import PackingSettings, process_data, read_dataset
from train.tiny import CHATML, write_model_dir


def _record(*turns: tuple[str, str], **extra: object) -> str:
    return json.dumps({"messages": [{"role": r, "content": c} for r, c in turns], **extra})


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return write_model_dir(tmp_path / "model", "byte_level", CHATML, eos="<|im_end|>")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    lines = [
        _record(("user", "Hello!"), ("assistant", "Hi, how can I help?"), id="a"),
        "",  # blank lines are skipped, not counted
        _record(("user", "Only a question")),
        "{not json",
        _record(("system", "Be brief."), ("user", "Why?"), ("assistant", "Because."), unmask=True),
        _record(("pretraining", "Bees carry pollen from flower to flower.")),
        _record(("user", "long " * 300), ("assistant", "ok")),
    ]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_writes_dataset_and_summary(tmp_path: Path, model: Path, data: Path) -> None:
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []
    summary = process_data(
        data, model, out, max_seq_len=200, progress=lambda d, t: seen.append((d, t))
    )
    assert summary.records == 6
    assert summary.kept == 3
    assert summary.dropped == {
        "invalid_record": 1,
        "template_error": 0,
        "too_short": 0,
        "too_long": 1,
        "nothing_to_learn": 1,
    }
    assert {(e["reason"], e["line"]) for e in summary.drop_examples} == {
        ("invalid_record", 4),
        ("nothing_to_learn", 3),
        ("too_long", 7),
    }
    assert seen and seen[-1][0] == seen[-1][1] == data.stat().st_size
    table = read_dataset(out)
    rows = table.to_pylist()
    assert [r["source_line"] for r in rows] == [1, 5, 6]
    assert [r["source_id"] for r in rows] == ["a", "", ""]
    assert rows[0]["source_file"] == str(data)
    for r in rows:
        assert len(r["input_ids"]) == len(r["labels"]) == r["length"]
        assert r["learned"] == sum(1 for lab in r["labels"] if lab != -100)
        assert all(lab in (-100, tok) for tok, lab in zip(r["input_ids"], r["labels"], strict=True))
    # The pretraining record learns every token.
    assert rows[2]["learned"] == rows[2]["length"]
    assert summary.tokens == sum(r["length"] for r in rows)
    assert sum(b["count"] for b in summary.length_histogram) == 3
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["cache_key"] == summary.cache_key
    assert on_disk["kept"] == 3


def test_unchanged_rerun_is_reused_and_changes_invalidate(
    tmp_path: Path, model: Path, data: Path
) -> None:
    out = tmp_path / "out"
    first = process_data(data, model, out, max_seq_len=200)
    assert not first.reused
    again = process_data(data, model, out, max_seq_len=200)
    assert again.reused and again.cache_key == first.cache_key and again.kept == first.kept
    assert not process_data(data, model, out, max_seq_len=200, force=True).reused
    at300 = process_data(data, model, out, max_seq_len=300)
    assert not at300.reused  # settings changed
    # Same size and content but touched: the content hash decides, so it is reused.
    data.touch()
    assert process_data(data, model, out, max_seq_len=300).reused
    data.write_text(data.read_text() + _record(("user", "q"), ("assistant", "a")) + "\n")
    changed = process_data(data, model, out, max_seq_len=300)
    assert not changed.reused and changed.kept == at300.kept + 1


def test_packing_figures_in_summary(tmp_path: Path, model: Path, data: Path) -> None:
    summary = process_data(
        data,
        model,
        tmp_path / "out",
        max_seq_len=200,
        packing=PackingSettings(token_budget=400, ranks=2, effective_batch_size=2),
    )
    assert summary.packing is not None
    assert summary.packing["steps"] == 2
    assert summary.packing["last_step_samples"] == 1
    assert 0 < summary.packing["fill"] <= 1


def test_folder_of_files_and_bad_paths(tmp_path: Path, model: Path, data: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "b.jsonl").write_text(data.read_text())
    (folder / "a.jsonl").write_text(_record(("user", "q"), ("assistant", "a")) + "\n")
    summary = process_data(folder, model, tmp_path / "out", max_seq_len=200)
    assert summary.kept == 4
    assert [i["path"].rsplit("/", 1)[1] for i in summary.inputs] == ["a.jsonl", "b.jsonl"]
    with pytest.raises(FileError, match="does not exist"):
        process_data(tmp_path / "missing.jsonl", model, tmp_path / "out")
    (tmp_path / "nothing").mkdir()
    with pytest.raises(FileError, match=r"no \.jsonl"):
        process_data(tmp_path / "nothing", model, tmp_path / "out")
    with pytest.raises(UsageError):
        process_data(data, model, tmp_path / "out", max_seq_len=0)


def test_undecodable_lines_are_dropped_with_their_line(tmp_path: Path, model: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(_record(("user", "q"), ("assistant", "a")).encode() + b"\n\xff\xfe\n")
    summary = process_data(path, model, tmp_path / "out", max_seq_len=200)
    assert summary.kept == 1
    assert summary.dropped["invalid_record"] == 1
    assert summary.drop_examples[0]["line"] == 2
