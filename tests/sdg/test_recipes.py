"""Recipes: reading with every problem named, sampling, mixing, default recipe lookup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from instructlab.errors import FileError, UsageError
from instructlab.fileio import read_jsonl, write_jsonl
from instructlab.sdg import recipes


def _records(n: int, tag: str = "r") -> list[dict[str, object]]:
    return [
        {
            "messages": [
                {"role": "user", "content": f"{tag} question {i}"},
                {"role": "assistant", "content": f"{tag} answer {i}"},
            ],
            "source": tag,
        }
        for i in range(n)
    ]


def _recipe(tmp_path: Path, body: object, name: str = "recipe.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def test_every_problem_of_a_recipe_is_named(tmp_path: Path) -> None:
    path = _recipe(
        tmp_path,
        {
            "datasets": [{"path": "a.jsonl", "sampling_size": "lots"}, "b.jsonl", {"x": 1}],
            "metadata": {"sys_prompt": 3},
            "extra": 1,
        },
    )
    with pytest.raises(FileError) as caught:
        recipes.Recipe.load(path)
    message = caught.value.message
    assert str(path) in message
    for part in (
        "unknown keys ['extra']",
        "datasets[0].sampling_size",
        "datasets[1]: expected a mapping",
        "datasets[2].path",
        "metadata.sys_prompt",
    ):
        assert part in message


def test_bad_yaml_and_missing_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets: [", encoding="utf-8")
    with pytest.raises(FileError, match=r"bad\.yaml: not valid YAML"):
        recipes.Recipe.load(bad)
    with pytest.raises(FileError, match=r"none\.yaml"):
        recipes.Recipe.load(tmp_path / "none.yaml")


def test_round_trip(tmp_path: Path) -> None:
    recipe = recipes.Recipe(sys_prompt="Be kind.")
    recipe.add("data/a.jsonl", 10)
    recipe.add("/abs/b.jsonl", 0.5)
    saved = recipe.save(tmp_path / "out" / "r.yaml")
    loaded = recipes.Recipe.load(saved)
    assert loaded.datasets == recipe.datasets
    assert loaded.sys_prompt == "Be kind."
    assert loaded.resolve(loaded.datasets[0]) == tmp_path / "out" / "data" / "a.jsonl"
    assert loaded.resolve(loaded.datasets[1]) == Path("/abs/b.jsonl")


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=0, max_value=100))
def test_sampling_by_count_is_reproducible_and_keeps_rows(size: int, want: int) -> None:
    rows = [{"i": i} for i in range(size)]
    picked = recipes.sample_rows(rows, want)
    assert len(picked) == want
    assert picked == recipes.sample_rows(rows, want)
    counts = [sum(1 for p in picked if p["i"] == i) for i in range(size)]
    # Every row appears floor(want/size) or one more times: nothing is lost to upsampling.
    assert set(counts) <= {want // size, want // size + 1}


def test_sampling_by_ratio() -> None:
    rows = [{"i": i} for i in range(10)]
    assert recipes.sample_rows(rows, 1.0) == rows
    assert len(recipes.sample_rows(rows, 0.5)) == 5
    assert len(recipes.sample_rows(rows, 2.5)) == 25
    assert recipes.sample_rows([], 5) == []


def test_mix_moves_columns_to_metadata_and_sets_the_system_prompt(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", _records(4, "a"))
    empty = _records(1, "e")
    empty[0]["messages"][1]["content"] = ""
    write_jsonl(tmp_path / "b.jsonl", _records(3, "b") + empty)
    path = _recipe(
        tmp_path,
        {
            "datasets": [
                {"path": "a.jsonl", "sampling_size": 2},
                {"path": "b.jsonl", "sampling_size": 1.0},
            ],
            "metadata": {"sys_prompt": "From the recipe."},
        },
    )
    result = recipes.mix_recipe(recipes.Recipe.load(path), tmp_path / "mixed.jsonl")
    assert result.rows == 5 and result.dropped_empty == 1
    assert [(d.available, d.taken) for d in result.datasets] == [(4, 2), (4, 4)]
    mixed = read_jsonl(tmp_path / "mixed.jsonl")
    assert len(mixed) == 5
    for record in mixed:
        assert set(record) == {"id", "messages", "metadata", "unmask"}
        assert record["messages"][0] == {"role": "system", "content": "From the recipe."}
        assert json.loads(record["metadata"])["source"] in {"a", "b"}
        assert record["unmask"] is False
    again = recipes.mix_recipe(recipes.Recipe.load(path), tmp_path / "again.jsonl", "Override.")
    assert read_jsonl(again.output)[0]["messages"][0]["content"] == "Override."
    assert [r["id"] for r in read_jsonl(again.output)] == [r["id"] for r in mixed]


def test_mix_names_every_missing_data_set(tmp_path: Path) -> None:
    path = _recipe(tmp_path, {"datasets": [{"path": "x.jsonl"}, {"path": "y.jsonl"}]})
    with pytest.raises(FileError, match=r"recipe.yaml: data sets not found: x.jsonl, y.jsonl"):
        recipes.mix_recipe(recipes.Recipe.load(path), tmp_path / "out.jsonl")


def test_mix_names_a_bad_line(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"messages": []}\nnot json\n', encoding="utf-8")
    path = _recipe(tmp_path, {"datasets": [{"path": "a.jsonl", "sampling_size": 1.0}]})
    with pytest.raises(FileError, match=r"a.jsonl:2: not valid JSON"):
        recipes.mix_recipe(recipes.Recipe.load(path), tmp_path / "out.jsonl")


def test_default_recipes_come_from_the_xdg_dirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user"
    system = tmp_path / "sys"
    monkeypatch.setenv("XDG_DATA_HOME", str(user))
    monkeypatch.setenv("XDG_DATA_DIRS", f"{tmp_path / 'nothing'}:{system}")
    dirs = recipes.default_recipe_dirs()
    assert dirs[0] == user / "instructlab" / "sdg" / "default_data_recipes"
    assert dirs[-1] == system / "instructlab" / "sdg" / "default_data_recipes"
    dirs[-1].mkdir(parents=True)
    skills = _recipe(dirs[-1], {"datasets": []}, "skills.yaml")
    assert recipes.find_recipe("skills") == skills
    assert recipes.find_recipe("skills.yaml") == skills
    dirs[0].mkdir(parents=True)
    mine = _recipe(dirs[0], {"datasets": []}, "skills.yaml")
    assert recipes.find_recipe("skills") == mine
    with pytest.raises(UsageError, match="recipe 'knowledge' not found"):
        recipes.find_recipe("knowledge")


def test_mixed_output_names() -> None:
    assert (
        recipes.mixed_output_name(Path("skills_recipe_2025-01-01T00_00_00.yaml"))
        == "skills_train_msgs_2025-01-01T00_00_00.jsonl"
    )
    assert recipes.mixed_output_name(Path("knowledge.yaml")) == "knowledge_train_msgs.jsonl"
    assert recipes.mixed_output_name(Path("my_recipe.yaml")) == "my_train_msgs.jsonl"
