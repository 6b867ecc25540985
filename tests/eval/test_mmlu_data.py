"""Finding and reading MMLU in its layouts, and saying where to put it when it is missing."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from instructlab.errors import FileError, UsageError
from instructlab.eval.mmlu_data import MMLU_SUBJECTS, default_mmlu_dir, find_mmlu, load_mmlu
from instructlab.eval.synthetic import write_mmlu

from .conftest import SUBJECTS


def test_subjects_are_mmlus_57() -> None:
    assert len(MMLU_SUBJECTS) == 57 == len(set(MMLU_SUBJECTS))


def test_csv_and_parquet_layouts_read_the_same_questions(mmlu_csv, mmlu_parquet) -> None:
    csv_source, csv_sets = load_mmlu(mmlu_csv, few_shots=3)
    pq_source, pq_sets = load_mmlu(mmlu_parquet, few_shots=3)
    assert (csv_source.layout, pq_source.layout) == ("csv", "parquet")
    assert [s.name for s in csv_sets] == list(SUBJECTS)
    assert csv_sets == pq_sets
    assert len(csv_sets[0].test) == 6 and len(csv_sets[0].dev) == 3
    assert csv_sets[0].description.startswith("The following are multiple choice questions")


def test_the_archive_data_folder_and_a_header_row_are_accepted(tmp_path) -> None:
    write_mmlu(tmp_path / "data", ["anatomy"], test=2, dev=1)
    file = tmp_path / "data" / "test" / "anatomy_test.csv"
    file.write_text("question,A,B,C,D,answer\n" + file.read_text(), encoding="utf-8")
    _, sets = load_mmlu(tmp_path, few_shots=1)
    assert len(sets[0].test) == 2


def test_tasks_pick_subjects_with_or_without_the_prefix(mmlu_csv) -> None:
    _, sets = load_mmlu(mmlu_csv, ["mmlu_virology", "anatomy"], few_shots=0)
    assert [s.name for s in sets] == ["virology", "anatomy"]
    with pytest.raises(UsageError) as caught:
        load_mmlu(mmlu_csv, ["nosuch"])
    assert caught.value.param == "tasks" and "nosuch" in caught.value.message


def test_missing_data_says_where_to_put_it(tmp_path) -> None:
    with pytest.raises(FileError) as caught:
        find_mmlu()
    message = str(caught.value)
    assert str(default_mmlu_dir()) in message and "dev/<subject>_dev.csv" in message
    assert "--mmlu-data" in message
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileError, match="holds no MMLU data"):
        find_mmlu(tmp_path / "empty")
    with pytest.raises(FileError, match="no such folder"):
        find_mmlu(tmp_path / "missing")


def test_the_default_folder_then_the_hugging_face_caches(tmp_path, monkeypatch, mmlu_parquet):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    snapshot = tmp_path / "hf" / "hub" / "datasets--cais--mmlu" / "snapshots" / "abc123"
    shutil.copytree(mmlu_parquet, snapshot)
    assert find_mmlu().root == snapshot
    write_mmlu(default_mmlu_dir(), ["anatomy"], test=1, dev=1)
    assert find_mmlu().root == default_mmlu_dir()


def test_the_datasets_cache_arrow_files_are_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "datasets"))
    folder = tmp_path / "datasets" / "hails___mmlu_no_train" / "anatomy" / "0.0.0" / "f00"
    folder.mkdir(parents=True)
    for split, n in (("test", 3), ("dev", 2)):
        table = pa.table(
            {
                "question": [f"q{i}" for i in range(n)],
                "choices": [["a", "b"]] * n,
                "answer": [1] * n,
            }
        )
        path = str(folder / f"mmlu_no_train-{split}.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    source, sets = load_mmlu(few_shots=2)
    assert source.layout == "arrow"
    assert [q.question for q in sets[0].test] == ["q0", "q1", "q2"] and len(sets[0].dev) == 2


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ('"Q?",a,b,c,d,E\n', "not a choice letter"),
        ('"Q?",a\n', "expected question"),
        ('"",a,b,c,d,A\n', "no question"),
    ],
)
def test_a_bad_csv_row_is_named_by_file_and_line(tmp_path, row, fragment) -> None:
    write_mmlu(tmp_path, ["anatomy"], test=1, dev=1)
    file = tmp_path / "test" / "anatomy_test.csv"
    file.write_text(file.read_text() + row, encoding="utf-8")
    with pytest.raises(FileError) as caught:
        load_mmlu(tmp_path, few_shots=0)
    assert f"{file}:2" in str(caught.value) and fragment in str(caught.value)


def test_a_parquet_file_without_the_columns_is_named(tmp_path) -> None:
    folder = tmp_path / "anatomy"
    folder.mkdir()
    pq.write_table(pa.table({"text": ["x"]}), folder / "test-00000-of-00001.parquet")
    with pytest.raises(FileError, match="lacks the column"):
        load_mmlu(tmp_path, few_shots=0)


def test_few_shots_need_a_dev_split(tmp_path) -> None:
    write_mmlu(tmp_path, ["anatomy"], test=1, dev=1)
    shutil.rmtree(tmp_path / "dev")
    with pytest.raises(FileError, match="no dev split"):
        load_mmlu(tmp_path, few_shots=1)
    assert load_mmlu(tmp_path, few_shots=0)[1][0].dev == ()
