"""Every built-in pipeline file parses, uses known block types and finds its prompt files.

The engine's loader validates the files fully (schema, Jinja variables against columns); this
checks what can be checked without it, so a broken built-in pipeline fails here first.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

PIPELINES = Path(str(resources.files("instructlab") / "sdg" / "pipelines"))
BLOCK_TYPES = {
    "LLMBlock",
    "ConditionalLLMBlock",
    "LLMMessagesBlock",
    "FilterByValueBlock",
    "SamplePopulatorBlock",
    "SelectorBlock",
    "CombineColumnsBlock",
    "FlattenColumnsBlock",
    "DuplicateColumnsBlock",
    "RenameColumnsBlock",
    "SetToMajorityValueBlock",
    "IterBlock",
    "ImportBlock",
}
BLOCK_KEYS = {"name", "type", "config", "drop_duplicates", "drop_columns", "gen_kwargs"}
PROMPT_KEYS = {
    "system",
    "introduction",
    "principles",
    "examples",
    "generation",
    "start_tags",
    "end_tags",
}
FILES = sorted(PIPELINES.glob("*/*.yaml"))


def _load(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _prompt_files(block: dict[str, object]) -> list[str]:
    config = block.get("config") or {}
    assert isinstance(config, dict)
    if "config_path" in config:
        return [str(config["config_path"])]
    if "config_paths" in config:
        return [str(p[0] if isinstance(p, list) else p) for p in config["config_paths"]]
    return []


def test_the_three_pipelines_are_there() -> None:
    names = {p.relative_to(PIPELINES).as_posix() for p in FILES}
    for kind in ("simple", "full"):
        for leaf in ("knowledge", "freeform_skills", "grounded_skills"):
            assert f"{kind}/{leaf}.yaml" in names
    assert "eval/mmlu_bench.yaml" in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PIPELINES).as_posix())
def test_pipeline_file_is_well_formed(path: Path) -> None:
    data = _load(path)
    assert data["version"] == "1.0"
    assert set(data) <= {"version", "blocks", "datamixing"}
    blocks = data["blocks"]
    assert isinstance(blocks, list) and blocks
    names = [b["name"] for b in blocks]
    assert len(names) == len(set(names)), "block names are unique"
    for block in blocks:
        assert set(block) <= BLOCK_KEYS, block["name"]
        assert block["type"] in BLOCK_TYPES, block["name"]
        for prompt in _prompt_files(block):
            assert (path.parent / prompt).is_file(), f"{block['name']}: {prompt}"
        if block["type"] == "ImportBlock":
            assert (path.parent / block["config"]["path"]).is_file()
        parser = (block.get("config") or {}).get("parser_kwargs")
        if parser and parser.get("parser_name") == "custom":
            re.compile(parser["parsing_pattern"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PIPELINES).as_posix())
def test_prompt_files_have_the_prompt_keys(path: Path) -> None:
    for block in _load(path)["blocks"]:
        outputs = (block.get("config") or {}).get("output_cols", [])
        for prompt in _prompt_files(block):
            config = _load(path.parent / prompt)
            assert set(config) <= PROMPT_KEYS, prompt
            assert {"system", "introduction", "principles", "generation"} <= set(config)
            starts, ends = config.get("start_tags", []), config.get("end_tags", [])
            assert len(starts) == len(ends), prompt
            uses_parser = "parser_kwargs" in block["config"]
            assert uses_parser or len(starts) == len(outputs), f"{prompt}: one tag pair per column"


def test_auxiliary_instructions_cover_every_rewrite() -> None:
    data = _load(PIPELINES / "full" / "knowledge.yaml")
    flatten = next(b for b in data["blocks"] if b["type"] == "FlattenColumnsBlock")
    rewrites = {c for c in flatten["config"]["var_cols"] if c != "base_document"}
    instructions = data["datamixing"]["auxiliary_instructions"]
    assert set(instructions) == rewrites
    assert all(instructions[k] for k in rewrites)


def test_the_knowledge_parser_splits_pairs() -> None:
    block = next(
        b
        for b in _load(PIPELINES / "full" / "knowledge.yaml")["blocks"]
        if b["name"] == "gen_knowledge"
    )
    pattern = re.compile(block["config"]["parser_kwargs"]["parsing_pattern"], re.DOTALL)
    text = "[Question]\nWhat is A?\n[Answer]\nA is a.\n[End]\n\n[Question] Why B? [Answer] Because."
    assert pattern.findall(text) == [("What is A?", "A is a."), ("Why B?", "Because.")]


def test_pipelines_ship_in_the_package() -> None:
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert "python/instructlab/sdg/pipelines/**/*" in text
    assert "python/instructlab/sdg/configs/**/*" in text


def _seed_columns(pipeline: Path) -> set[str]:
    from instructlab.sdg import seeds

    if pipeline.stem in ("knowledge", "mmlu_bench"):
        icl = {f"icl_{kind}_{n}" for kind in ("query", "response") for n in (1, 2, 3)}
        return set(seeds.KNOWLEDGE_COLUMNS) | icl
    if pipeline.stem == "grounded_skills":
        return set(seeds.GROUNDED_COLUMNS)
    return set(seeds.FREEFORM_COLUMNS)


def _flow(path: Path, columns: set[str]) -> set[str]:
    """Follows the columns through a pipeline, checking each prompt's variables exist."""
    import jinja2
    from jinja2 import meta

    env = jinja2.Environment()
    for block in _load(path)["blocks"]:
        config = block.get("config") or {}
        kind = block["type"]
        if kind == "ImportBlock":
            columns = _flow(path.parent / config["path"], columns)
        elif kind in ("LLMBlock", "ConditionalLLMBlock"):
            extra = set((config.get("batch_kwargs") or {}).keys()) & {"num_samples"}
            for prompt in _prompt_files(block):
                text = "\n".join(
                    str(v) for k, v in _load(path.parent / prompt).items() if k in PROMPT_KEYS
                )
                used = meta.find_undeclared_variables(env.parse(text))
                missing = used - columns - extra
                assert not missing, f"{path.name}/{block['name']}: {sorted(missing)}"
            columns = columns | set(config["output_cols"]) | extra
        elif kind == "DuplicateColumnsBlock":
            columns = columns | set(config["columns_map"].values())
        elif kind == "RenameColumnsBlock":
            mapping = config["columns_map"]
            assert set(mapping) <= columns, block["name"]
            columns = (columns - set(mapping)) | set(mapping.values())
        elif kind == "FlattenColumnsBlock":
            assert set(config["var_cols"]) <= columns, block["name"]
            columns = (columns - set(config["var_cols"])) | {
                config["value_name"],
                config["var_name"],
            }
        elif kind == "CombineColumnsBlock":
            assert set(config["columns"]) <= columns, block["name"]
            columns = columns | {config["output_col"]}
        elif kind == "FilterByValueBlock":
            assert config["filter_column"] in columns, block["name"]
        for column in block.get("drop_duplicates") or []:
            assert column in columns, f"{block['name']}: drop_duplicates {column}"
        columns = columns - set(block.get("drop_columns") or [])
    return columns


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PIPELINES).as_posix())
def test_every_prompt_variable_is_a_column(path: Path) -> None:
    out = _flow(path, _seed_columns(path))
    if path.parent.name in ("simple", "full"):
        # What mixing reads: a question and a response (knowledge also keeps its document).
        assert {"question", "response"} <= out
        if path.stem == "knowledge":
            assert "document" in out
    else:
        assert {"mmlubench_question", "mmlubench_answer", "domain"} <= out
