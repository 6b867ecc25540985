"""Custom blocks and prompt templates, registered by users and used from pipeline files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from instructlab.llm.client import LLMClient
from instructlab.sdg import Block, BlockRegistry, Pipeline, PipelineContext, PromptRegistry
from instructlab.testing import Call, MockOpenAI, Rule


@BlockRegistry.register("ShoutBlock")
class ShoutBlock(Block):
    """Upper-cases a column (a user's block: one method to write)."""

    def __init__(self, ctx: PipelineContext, pipe: Any, block_name: str, column: str) -> None:
        super().__init__(ctx, pipe, block_name)
        self.column = column

    def columns_needed(self) -> set[str]:
        return {self.column}

    async def process(self, rows: list[dict[str, Any]], run: Any) -> list[list[dict[str, Any]]]:
        return [[{**row, self.column: str(row[self.column]).upper()}] for row in rows]


@PromptRegistry.register("shouty")
def _shouty() -> str:
    return "<<{{ messages[0]['content'] }}>>{% if add_generation_prompt %} ANSWER:{% endif %}"


def _pipeline(tmp_path: Path) -> Path:
    (tmp_path / "p.yaml").write_text("generation: 'Say {{ word }}'\n", encoding="utf-8")
    path = tmp_path / "pipe.yaml"
    path.write_text(
        'version: "1.0"\n'
        "blocks:\n"
        "  - name: ask\n"
        "    type: LLMBlock\n"
        "    config: {config_path: p.yaml, output_cols: [said], model_family: shouty}\n"
        "  - name: shout\n"
        "    type: ShoutBlock\n"
        "    config: {column: said}\n"
        "  - name: chat\n"
        "    type: LLMMessagesBlock\n"
        "    config:\n"
        "      input_col: messages\n"
        "      output_col: replies\n"
        "      model_id: judge-lora\n"
        "      gen_kwargs: {n: 2}\n",
        encoding="utf-8",
    )
    return path


def test_registered_block_and_template_run_from_a_pipeline_file(tmp_path: Path) -> None:
    seen: list[Call] = []

    def record(call: Call) -> str:
        seen.append(call)
        return f"{call.kind} {call.model} {call.choice}"

    with MockOpenAI([Rule("", record)]) as server:
        ctx = PipelineContext(client=LLMClient(server.base_url), model_id="teacher")
        pipe = Pipeline.from_file(ctx, _pipeline(tmp_path))
        assert [type(b.block).__name__ for b in pipe.blocks][1] == "ShoutBlock"
        rows = [{"word": "hi", "messages": [{"role": "user", "content": "judge this"}]}]
        (out,) = pipe.generate(rows)
    assert out["said"] == "COMPLETIONS TEACHER 0"
    assert out["replies"] == ["chat judge-lora 0", "chat judge-lora 1"]
    ask, chat = seen[0], seen[1]
    assert ask.body["prompt"] == "<<Say hi>> ANSWER:"
    assert chat.body["messages"] == rows[0]["messages"] and chat.body["n"] == 2


def test_pipelines_take_and_give_datasets(tmp_path: Path) -> None:
    import datasets

    with MockOpenAI([Rule("", lambda call: f"{call.choice}")]) as server:
        ctx = PipelineContext(client=LLMClient(server.base_url), model_id="teacher")
        pipe = Pipeline.from_file(ctx, _pipeline(tmp_path))
        given = datasets.Dataset.from_list(
            [{"word": w, "messages": [{"role": "user", "content": w}]} for w in ("a", "b")]
        )
        out = pipe.generate(given)
    assert isinstance(out, datasets.Dataset)
    assert out["word"] == ["a", "b"] and out["replies"] == [["0", "1"], ["0", "1"]]


def test_an_unknown_block_type_suggests_a_registered_one(tmp_path: Path) -> None:
    from instructlab.sdg.errors import PipelineConfigParserError

    path = _pipeline(tmp_path)
    path.write_text(path.read_text().replace("ShoutBlock", "ShoutBlok"), encoding="utf-8")
    with pytest.raises(PipelineConfigParserError, match="did you mean 'ShoutBlock'"):
        Pipeline.from_file(PipelineContext(model_id="m"), path)
