"""LLMBlock prompts and parsing; IterBlock and ConditionalLLMBlock against the mock teacher."""

from __future__ import annotations

from pathlib import Path

from instructlab.llm.client import LLMClient
from instructlab.sdg import PipelineContext
from instructlab.sdg.blocks import ConditionalLLMBlock, IterBlock, LLMBlock
from instructlab.testing import Call, MockOpenAI, Rule


def _prompt(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_custom_regex_parser_makes_a_row_per_match(tmp_path: Path) -> None:
    cfg = _prompt(tmp_path, "p.yaml", "generation: 'Doc: {{ document }}'\n")
    block = LLMBlock(
        PipelineContext(model_id="m"),
        None,
        "gen",
        cfg,
        ["question", "answer"],
        parser_kwargs={
            "parser_name": "custom",
            "parsing_pattern": r"\[Q\](.*?)\[A\](.*?)(?=\[Q\]|$)",
            "parser_cleanup_tags": ["[END]"],
        },
    )
    parsed = block.parse("[Q] one? [A] yes [END] [Q] two? [A] no")
    assert parsed == [{"question": "one?", "answer": "yes"}, {"question": "two?", "answer": "no"}]
    assert block.parse("nothing") == []
    assert block.columns_needed() == {"document"}


def test_chat_request_and_completions_request(tmp_path: Path) -> None:
    cfg = _prompt(tmp_path, "p.yaml", "system: Be brief.\ngeneration: 'Say {{ word }}'\n")
    chat = LLMBlock(PipelineContext(model_id="m"), None, "b", cfg, ["out"])
    kind, body = chat.request({"word": "hi"})
    assert kind == "chat"
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hi"},
    ]
    comp = LLMBlock(
        PipelineContext(model_id="granite-7b", api="completions"), None, "b", cfg, ["out"]
    )
    kind, body = comp.request({"word": "hi"})
    assert kind == "completions"
    assert body["prompt"].startswith("<|user|>\nBe brief.\nSay hi")
    blank = LLMBlock(PipelineContext(model_id="m"), None, "b", cfg, ["out"], model_prompt="")
    assert blank.request({"word": "hi"})[1]["prompt"] == "Be brief.\nSay hi"


def test_block_model_id_wins_over_the_context(tmp_path: Path) -> None:
    cfg = _prompt(tmp_path, "p.yaml", "generation: x\n")
    block = LLMBlock(PipelineContext(model_id="base"), None, "b", cfg, ["o"], model_id="lora")
    assert block.request({})[1]["model"] == "lora"
    assert (
        LLMBlock(PipelineContext(model_id="base"), None, "b", cfg, ["o"]).request({})[1]["model"]
        == "base"
    )


def test_iterations_are_distinct_places(tmp_path: Path) -> None:
    cfg = _prompt(tmp_path, "p.yaml", "generation: 'Topic {{ t }}'\n")
    rules = [Rule("Topic", lambda call: f"idea {call.seed}")]
    with MockOpenAI(rules) as server:
        ctx = PipelineContext(client=LLMClient(server.base_url), model_id="m")
        block = IterBlock(ctx, None, "it", 3, "LLMBlock", config_path=cfg, output_cols=["idea"])
        out = block.generate([{"t": "bees"}])
        assert server.stats.requests == 3
    assert len({r["idea"] for r in out}) == 3


def test_conditional_block_picks_the_prompt_per_row(tmp_path: Path) -> None:
    a = _prompt(tmp_path, "a.yaml", "generation: 'Style A {{ q }}'\n")
    b = _prompt(tmp_path, "b.yaml", "generation: 'Style B {{ q }}'\n")
    rules = [Rule("Style A", ["from A"]), Rule("Style B", ["from B"])]
    with MockOpenAI(rules) as server:
        ctx = PipelineContext(client=LLMClient(server.base_url), model_id="m")
        block = ConditionalLLMBlock(ctx, None, "c", [[a, "a"], [b, "b"]], ["out"], "style")
        out = block.generate(
            [{"q": 1, "style": "b"}, {"q": 2, "style": "a"}, {"q": 3, "style": "z"}]
        )
    assert [r["out"] for r in out] == ["from B", "from A"]


def test_block_model_id_and_family_over_http(tmp_path: Path) -> None:
    from instructlab.sdg import Pipeline
    from instructlab.sdg.errors import PipelineConfigParserError

    _prompt(tmp_path, "p.yaml", "system: Be brief.\ngeneration: 'Say {{ word }}'\n")
    pipe_file = tmp_path / "pipe.yaml"
    pipe_file.write_text(
        'version: "1.0"\n'
        "blocks:\n"
        "  - name: base\n"
        "    type: LLMBlock\n"
        "    config: {config_path: p.yaml, output_cols: [a]}\n"
        "  - name: adapter\n"
        "    type: LLMBlock\n"
        "    config:\n"
        "      config_path: p.yaml\n"
        "      output_cols: [b]\n"
        "      model_id: my-lora\n"
        "      model_family: mixtral\n",
        encoding="utf-8",
    )
    seen = []

    def record(call: Call) -> str:
        seen.append((call.kind, call.model, call.prompt))
        return f"said by {call.model}"

    with MockOpenAI([Rule("Say", record)]) as server:
        ctx = PipelineContext(client=LLMClient(server.base_url), model_id="base-model")
        rows = Pipeline.from_file(ctx, pipe_file).generate([{"word": "hi"}])
    assert rows == [{"word": "hi", "a": "said by base-model", "b": "said by my-lora"}]
    assert seen[0] == ("chat", "base-model", "Be brief.\nSay hi")
    assert seen[1] == ("completions", "my-lora", "<s>[INST] Be brief.\nSay hi [/INST]")

    pipe_file.write_text(pipe_file.read_text().replace("mixtral", "nope"), encoding="utf-8")
    try:
        Pipeline.from_file(ctx, pipe_file)
    except PipelineConfigParserError as exc:
        assert "[adapter]: unknown model family 'nope'" in str(exc)
    else:
        raise AssertionError("an unknown family was accepted")
