"""Pipeline files: checks before any request, version rules, ImportBlock, combining."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from instructlab.sdg import Pipeline, PipelineConfigParserError, PipelineContext

from .conftest import PIPELINE, write_pipeline


def _ctx() -> PipelineContext:
    return PipelineContext(client=None, model_id="m", num_instructions_to_generate=2)


def test_valid_file_loads_blocks_in_order(pipeline_file: Path) -> None:
    pipe = Pipeline.from_file(_ctx(), pipeline_file, input_columns={"task_description"})
    assert [b.name for b in pipe.blocks] == [
        "gen_questions",
        "judge_questions",
        "filter_questions",
        "gen_answers",
    ]
    assert pipe.blocks[0].drop_duplicates == ["question"]
    assert pipe.output_columns({"task_description"}) == {"task_description", "question", "response"}


def test_all_problems_reported_at_once_with_file_and_block(tmp_path: Path) -> None:
    text = PIPELINE.replace("type: FilterByValueBlock", "type: FilterByValueBlok")
    text = text.replace("config_path: answer.yaml", "config_path: missing.yaml")
    text = text.replace("max_tokens: 64", "max_tokens: 64\n        temprature: 0.5")
    text = text.replace("output_cols: [judgment]", "output_cols: [judgment]\n      outptu: 1")
    path = write_pipeline(tmp_path, text)
    with pytest.raises(PipelineConfigParserError) as err:
        Pipeline.from_file(_ctx(), path)
    problems = {(p.block, p.message) for p in err.value.problems}
    message = str(err.value)
    assert all(p.file == str(path) for p in err.value.problems)
    assert any(b == "filter_questions" and "'FilterByValueBlock'" in m for b, m in problems)
    assert any(b == "gen_answers" and "missing.yaml" in m for b, m in problems)
    assert any(b == "gen_questions" and "'temperature'" in m for b, m in problems)
    assert any(b == "judge_questions" and "'outptu'" in m for b, m in problems)
    assert "4 problems" in message


def test_jinja_variable_without_a_column_is_reported(pipeline_file: Path) -> None:
    with pytest.raises(PipelineConfigParserError) as err:
        Pipeline.from_file(_ctx(), pipeline_file, input_columns={"document"})
    (problem,) = err.value.problems
    assert problem.block == "gen_questions"
    assert "task_description" in problem.message


def test_dropped_column_is_no_longer_available(tmp_path: Path) -> None:
    text = PIPELINE.replace("drop_columns: [judgment]", "drop_columns: [judgment, question]")
    path = write_pipeline(tmp_path, text)
    with pytest.raises(PipelineConfigParserError) as err:
        Pipeline.from_file(_ctx(), path, input_columns={"task_description"})
    assert [p.block for p in err.value.problems] == ["gen_answers"]


def test_bad_gen_kwargs_values(tmp_path: Path) -> None:
    text = PIPELINE.replace("n: 3", "n: lots").replace("max_tokens: 64", "max_tokens: 0")
    path = write_pipeline(tmp_path, text)
    with pytest.raises(PipelineConfigParserError) as err:
        Pipeline.from_file(_ctx(), path)
    message = str(err.value)
    assert "gen_kwargs.n" in message
    assert "gen_kwargs.max_tokens" in message


def test_scaled_n_needs_the_context(tmp_path: Path) -> None:
    path = write_pipeline(tmp_path, PIPELINE.replace("n: 3", "n: scaled"))
    with pytest.raises(PipelineConfigParserError, match="num_instructions_to_generate"):
        Pipeline.from_file(PipelineContext(model_id="m"), path)
    pipe = Pipeline.from_file(_ctx(), path)
    assert pipe.blocks[0].block.gen_kwargs["n"] == 2  # type: ignore[attr-defined]


def test_version_is_mandatory(tmp_path: Path) -> None:
    path = write_pipeline(tmp_path, PIPELINE.replace('version: "1.0"\n', ""))
    with pytest.raises(PipelineConfigParserError, match='missing "version"'):
        Pipeline.from_file(_ctx(), path)


def test_higher_major_version_is_refused(tmp_path: Path) -> None:
    path = write_pipeline(tmp_path, PIPELINE.replace('"1.0"', '"2.0"'))
    with pytest.raises(PipelineConfigParserError, match="newer than this instructlab reads"):
        Pipeline.from_file(_ctx(), path)


def test_higher_minor_version_warns_and_ignores_unknown_keys(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = PIPELINE.replace('"1.0"', '"1.9"').replace(
        "output_cols: [judgment]", "output_cols: [judgment]\n      shiny_new_option: 3"
    )
    text += "future_section: {a: 1}\n"
    path = write_pipeline(tmp_path, text)
    with caplog.at_level(logging.WARNING, logger="instructlab.sdg"):
        pipe = Pipeline.from_file(_ctx(), path)
    assert len(pipe.blocks) == 4
    assert any("1.9" in w for w in pipe.warnings)
    assert any("1.9" in r.message for r in caplog.records)


def test_same_version_unknown_top_level_key_is_an_error(tmp_path: Path) -> None:
    path = write_pipeline(tmp_path, PIPELINE + "datamixin: {}\n")
    with pytest.raises(PipelineConfigParserError, match="did you mean 'datamixing'"):
        Pipeline.from_file(_ctx(), path)


def test_older_version_gets_defaults(tmp_path: Path) -> None:
    path = write_pipeline(tmp_path, PIPELINE.replace('"1.0"', '"0.9"'))
    pipe = Pipeline.from_file(_ctx(), path)
    assert pipe.blocks[1].block.gen_kwargs["temperature"] == 0.0  # type: ignore[attr-defined]


def test_datamixing_auxiliary_instructions_are_kept(tmp_path: Path) -> None:
    text = (
        PIPELINE + "datamixing:\n  auxiliary_instructions:\n    spellcheck: [Fix the spelling.]\n"
    )
    pipe = Pipeline.from_file(_ctx(), write_pipeline(tmp_path, text))
    assert pipe.auxiliary_inst == {"spellcheck": ["Fix the spelling."]}


def test_block_level_gen_kwargs_win_over_config(tmp_path: Path) -> None:
    text = PIPELINE.replace(
        "    drop_duplicates: [question]",
        "    gen_kwargs: {max_tokens: 99}\n    drop_duplicates: [question]",
    )
    pipe = Pipeline.from_file(_ctx(), write_pipeline(tmp_path, text))
    assert pipe.blocks[0].block.gen_kwargs["max_tokens"] == 99  # type: ignore[attr-defined]


def test_import_block_reuses_another_file(tmp_path: Path) -> None:
    write_pipeline(tmp_path / "lib", name="base.yaml")
    main = tmp_path / "main.yaml"
    main.write_text(
        'version: "1.0"\nblocks:\n  - name: base\n    type: ImportBlock\n'
        "    config:\n      path: lib/base.yaml\n"
        "  - name: copy\n    type: DuplicateColumnsBlock\n"
        "    config:\n      columns_map: {response: answer}\n",
        encoding="utf-8",
    )
    pipe = Pipeline.from_file(_ctx(), main, input_columns={"task_description"})
    assert [b.name for b in pipe.blocks][-2:] == ["gen_answers", "copy"]


def test_import_cycle_is_reported(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    body = (
        'version: "1.0"\nblocks:\n  - name: other\n    type: ImportBlock\n'
        "    config: {{path: {0}}}\n"
    )
    a.write_text(body.format("b.yaml"), encoding="utf-8")
    b.write_text(body.format("a.yaml"), encoding="utf-8")
    with pytest.raises(PipelineConfigParserError, match="cycle"):
        Pipeline.from_file(_ctx(), a)


def test_pipelines_combine(pipeline_file: Path, tmp_path: Path) -> None:
    first = Pipeline.from_file(_ctx(), pipeline_file)
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        'version: "1.0"\nblocks:\n  - name: rename\n    type: RenameColumnsBlock\n'
        "    config:\n      columns_map: {response: answer}\n",
        encoding="utf-8",
    )
    both = first + Pipeline.from_file(_ctx(), extra)
    assert [b.name for b in both.blocks][-1] == "rename"
    assert "answer" in both.output_columns({"task_description"})
    with pytest.raises(PipelineConfigParserError, match="share this name"):
        Pipeline.combine(first, first)


def test_checkpoint_dir_resumes_a_second_call(pipeline_file: Path, tmp_path: Path) -> None:
    from instructlab.llm.client import LLMClient
    from instructlab.testing import MockOpenAI

    from .conftest import mini_rules, seed_rows

    with MockOpenAI(mini_rules()) as server:

        def run() -> list[dict[str, object]]:
            ctx = PipelineContext(
                client=LLMClient(server.base_url),
                model_id="m",
                checkpoint_dir=tmp_path / "ckpt",
            )
            pipe = Pipeline.from_file(ctx, pipeline_file)
            return pipe.generate(seed_rows(3), checkpoint_name="leaf")  # type: ignore[no-any-return]

        first = run()
        sent = server.stats.requests
        assert sent > 0 and first
        assert run() == first
        assert server.stats.requests == sent  # everything came from the checkpoint


def test_the_estimate_is_each_blocks_own(pipeline_file: Path) -> None:
    from instructlab.sdg.block import Estimate

    pipe = Pipeline.from_file(_ctx(), pipeline_file)
    gen, judge, filt, _ = (b.block for b in pipe.blocks)
    # gen_questions asks n=3 samples of each of 5 rows; every later block sees 15 rows.
    assert gen.estimate(5) == Estimate(5, 15, 15)
    assert judge.estimate(15) == Estimate(15, 15, 15)
    assert filt.estimate(15) == Estimate(0, 0, 15)
    assert pipe.estimate(5) == Estimate(5 + 15 + 15, 15 + 15 + 15, 15)


def test_the_fingerprint_follows_what_decides_the_output(tmp_path: Path) -> None:
    path = write_pipeline(tmp_path / "a")
    first = Pipeline.from_file(_ctx(), path).fingerprint()
    assert Pipeline.from_file(_ctx(), path).fingerprint() == first
    # A copy elsewhere asks the same: the fingerprint holds content, not places.
    assert Pipeline.from_file(_ctx(), write_pipeline(tmp_path / "b")).fingerprint() == first
    # A prompt file's tags, a block's config, the scale: each changes it.
    judge = tmp_path / "a" / "judge.yaml"
    judge.write_text(judge.read_text().replace("[/J]", "[/JUDGE]"))
    assert Pipeline.from_file(_ctx(), path).fingerprint() != first
    changed = write_pipeline(tmp_path / "c", PIPELINE.replace('"YES"', '"NO"'))
    assert Pipeline.from_file(_ctx(), changed).fingerprint() != first
    scaled = write_pipeline(tmp_path / "d", PIPELINE.replace("n: 3", "n: scaled"))
    two = PipelineContext(model_id="m", num_instructions_to_generate=2)
    four = PipelineContext(model_id="m", num_instructions_to_generate=4)
    assert (
        Pipeline.from_file(two, scaled).fingerprint()
        != Pipeline.from_file(four, scaled).fingerprint()
    )


def test_blocks_read_prompt_files_beside_the_file_that_declares_them(tmp_path: Path) -> None:
    # An imported file's blocks find their prompts beside that file, not the importer.
    write_pipeline(tmp_path / "shared")
    main = tmp_path / "main" / "main.yaml"
    main.parent.mkdir()
    main.write_text(
        'version: "1.1"\nblocks:\n  - name: steps\n    type: ImportBlock\n'
        "    config: {path: ../shared/mini.yaml}\n"
    )
    pipe = Pipeline.from_file(_ctx(), main)
    assert {b.block.config_dir for b in pipe.blocks} == {tmp_path / "shared"}
    assert pipe.config_path == main
