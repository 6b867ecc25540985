"""Reading pipeline files: every problem collected with its file and block, never raised."""

from __future__ import annotations

from pathlib import Path

from instructlab.sdg.fileformat import FORMAT_VERSION, read_pipeline_file, schema

KNOWN = {"LLMBlock", "FilterByValueBlock", "ImportBlock", "RenameColumnsBlock"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_schema_knows_every_field_of_a_block() -> None:
    block = schema()["block"]
    assert {"name", "type", "config"} <= set(block["properties"])


def test_a_file_that_cannot_be_read_is_one_problem(tmp_path: Path) -> None:
    binary = tmp_path / "p.yaml"
    binary.write_bytes(b"\xff\xfe version")
    got = read_pipeline_file(binary, KNOWN)
    (problem,) = got.problems
    assert problem.file == str(binary) and "is not UTF-8 text" in problem.message
    missing = read_pipeline_file(tmp_path / "none.yaml", KNOWN)
    assert [p.message for p in missing.problems] == ["does not exist; expected a pipeline file"]
    listed = read_pipeline_file(_write(tmp_path / "l.yaml", "- a\n"), KNOWN)
    assert "expected a mapping" in listed.problems[0].message


def test_every_block_problem_is_reported_with_its_block(tmp_path: Path) -> None:
    text = (
        f'version: "{FORMAT_VERSION[0]}.{FORMAT_VERSION[1]}"\n'
        "blocks:\n"
        "  - {name: a, type: RenameColumnBlock, config: {columns_map: {x: y}}}\n"
        "  - {name: b, type: RenameColumnsBlock, config: {columns_map: {x: y}}}\n"
        "  - {name: b, type: RenameColumnsBlock, config: {columns_map: {y: z}}}\n"
        "  - {type: RenameColumnsBlock}\n"
    )
    got = read_pipeline_file(_write(tmp_path / "p.yaml", text), KNOWN)
    by_block = {p.block: p.message for p in got.problems}
    assert "did you mean 'RenameColumnsBlock'" in by_block["a"]
    assert by_block["b"] == "two blocks share this name"
    assert "blocks[3]" in by_block
    assert [b.name for b in got.blocks] == ["b", "b"]


def test_an_import_is_read_relative_to_the_importing_file(tmp_path: Path) -> None:
    version = f'version: "{FORMAT_VERSION[0]}.{FORMAT_VERSION[1]}"\n'
    (tmp_path / "parts").mkdir()
    _write(
        tmp_path / "parts" / "inner.yaml",
        version + "blocks:\n  - {name: inner, type: RenameColumnsBlock, "
        "config: {columns_map: {x: y}}}\n",
    )
    outer = _write(
        tmp_path / "outer.yaml",
        version + "blocks:\n  - {name: imp, type: ImportBlock, config: {path: parts/inner.yaml}}\n",
    )
    got = read_pipeline_file(outer, KNOWN)
    assert got.problems == []
    (block,) = got.blocks
    assert (block.name, block.file) == ("inner", tmp_path / "parts" / "inner.yaml")
