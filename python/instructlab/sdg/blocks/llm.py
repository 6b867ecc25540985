"""Blocks that ask the teacher: LLMBlock, ConditionalLLMBlock, LLMMessagesBlock.

A prompt config file holds ``system``, ``introduction``, ``principles``, ``examples`` and
``generation`` (Jinja templates over the row's columns) and optionally ``start_tags`` /
``end_tags`` that cut the answer into the block's ``output_cols``. By default the block uses the
chat API (``system`` as the system message, the rest as the user message); with ``model_prompt``
or ``model_family`` set, or a context whose ``api`` is "completions", it renders one prompt with
``model_prompt`` or the model family's template and uses the completions API.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from instructlab.sdg.block import Block, Estimate, Row
from instructlab.sdg.context import DEFAULT_MAX_NUM_TOKENS
from instructlab.sdg.errors import BlockConfigParserError
from instructlab.sdg.registry import BlockRegistry, PromptRegistry

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2

    from instructlab.sdg.context import PipelineContext
    from instructlab.sdg.runtime import BlockRun

__all__ = ["GEN_KWARGS", "ConditionalLLMBlock", "LLMBlock", "LLMMessagesBlock"]

#: The generation settings a block's ``gen_kwargs`` may hold, with the types each accepts.
GEN_KWARGS: dict[str, tuple[type, ...]] = {
    "model": (str,),
    "max_tokens": (int, float),
    "temperature": (int, float),
    "top_p": (int, float),
    "n": (int, str),
    "seed": (int,),
    "stop": (str, list),
    "presence_penalty": (int, float),
    "frequency_penalty": (int, float),
    "extra_body": (dict,),
}

_PARTS = ("introduction", "principles", "examples", "generation")


def check_gen_kwargs(block_name: str, gen_kwargs: dict[str, Any]) -> list[str]:
    """Every problem with a block's gen_kwargs (unknown keys, wrong types, bad ``n``)."""
    import difflib

    problems = []
    for key, value in gen_kwargs.items():
        if key not in GEN_KWARGS:
            close = difflib.get_close_matches(key, GEN_KWARGS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"gen_kwargs: unknown key {key!r}{hint}")
        elif not isinstance(value, GEN_KWARGS[key]) or isinstance(value, bool):
            problems.append(f"gen_kwargs.{key}: {value!r} has the wrong type")
    n = gen_kwargs.get("n")
    if isinstance(n, str) and n != "scaled":
        problems.append(f"gen_kwargs.n: {n!r} is neither a number nor 'scaled'")
    if isinstance(n, int) and not isinstance(n, bool) and n < 1:
        problems.append(f"gen_kwargs.n: {n} must be at least 1")
    for key in ("max_tokens",):
        v = gen_kwargs.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 1:
            problems.append(f"gen_kwargs.{key}: {v} must be at least 1")
    t = gen_kwargs.get("temperature")
    if isinstance(t, (int, float)) and not isinstance(t, bool) and t < 0:
        problems.append(f"gen_kwargs.temperature: {t} must not be negative")
    return problems


def _variables(template_source: str) -> set[str]:
    from jinja2 import meta

    from instructlab.sdg.prompts import environment

    return set(meta.find_undeclared_variables(environment().parse(template_source)))


class _PromptConfig:
    """A loaded prompt config: templates, the columns they read, the answer's tags."""

    def __init__(self, block: Block, path: str) -> None:
        config = block._load_config(path)
        self.path = path
        text = {
            k: ("" if config.get(k) is None else str(config.get(k))) for k in ("system", *_PARTS)
        }
        self.system_source = text["system"]
        self.user_source = "\n".join(text[k] for k in _PARTS if text[k])
        try:
            self.system = PromptRegistry.template_from_string(self.system_source)
            self.user = PromptRegistry.template_from_string(self.user_source)
            self.columns = _variables(self.system_source) | _variables(self.user_source)
        except Exception as exc:  # jinja2.TemplateSyntaxError, without importing jinja2 early
            raise BlockConfigParserError(
                f"{block.block_name}: {path} is not a valid template: {exc}"
            ) from None
        self.start_tags = [str(t) if t is not None else "" for t in config.get("start_tags") or []]
        self.end_tags = [str(t) if t is not None else "" for t in config.get("end_tags") or []]

    def fingerprint(self) -> dict[str, Any]:
        """What of the file decides the answers: the templates and the answer's tags."""
        return {
            "system": self.system_source,
            "user": self.user_source,
            "start_tags": self.start_tags,
            "end_tags": self.end_tags,
        }


@BlockRegistry.register("LLMBlock")
class LLMBlock(Block):
    """Asks the teacher once per row (``n`` samples) and parses each answer into new rows."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        config_path: str,
        output_cols: list[str],
        model_id: str | None = None,
        model_family: str | None = None,
        model_prompt: str | None = None,
        gen_kwargs: dict[str, Any] | None = None,
        parser_kwargs: dict[str, Any] | None = None,
        batch_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.prompts = self._load_prompts(config_path)
        self.output_cols = list(output_cols)
        if not self.output_cols:
            raise BlockConfigParserError(f"{block_name}: output_cols is empty")
        self.model_id = model_id
        self.model_family = model_family
        if model_family is not None:
            from instructlab.sdg.prompts import detect_model_family

            try:
                detect_model_family(model_family, None)
            except KeyError as exc:
                raise BlockConfigParserError(f"{block_name}: {exc.args[0]}") from None
        self.model_prompt = model_prompt
        parser_kwargs = dict(parser_kwargs or {})
        self.parser_name = parser_kwargs.get("parser_name")
        self.pattern: re.Pattern[str] | None = None
        if self.parser_name == "custom":
            try:
                self.pattern = re.compile(str(parser_kwargs.get("parsing_pattern", "")), re.DOTALL)
            except re.error as exc:
                raise BlockConfigParserError(
                    f"{block_name}: parser_kwargs.parsing_pattern is not a valid regex: {exc}"
                ) from None
        elif self.parser_name is not None:
            raise BlockConfigParserError(
                f"{block_name}: unknown parser_name {self.parser_name!r} (only 'custom')"
            )
        self.cleanup_tags = [str(t) for t in parser_kwargs.get("parser_cleanup_tags") or []]
        self.num_samples = (batch_kwargs or {}).get("num_samples")
        self.gen_kwargs = self._resolve_gen_kwargs(dict(gen_kwargs or {}))

    def _load_prompts(self, config_path: str) -> dict[str, _PromptConfig]:
        return {"": _PromptConfig(self, config_path)}

    def _resolve_gen_kwargs(self, given: dict[str, Any]) -> dict[str, Any]:
        problems = check_gen_kwargs(self.block_name, given)
        if problems:
            raise BlockConfigParserError(f"{self.block_name}: " + "; ".join(problems))
        gen: dict[str, Any] = {"temperature": 0.0, "max_tokens": DEFAULT_MAX_NUM_TOKENS, **given}
        if gen.get("n") == "scaled":
            scaled = self.ctx.num_instructions_to_generate
            if not scaled:
                raise BlockConfigParserError(
                    f"{self.block_name}: gen_kwargs.n is 'scaled' but the context sets no "
                    "num_instructions_to_generate"
                )
            gen["n"] = int(scaled)
        gen["n"] = int(gen.get("n", 1))
        gen["temperature"] = float(gen["temperature"])
        if gen["n"] > 1 and gen["temperature"] <= 0:
            gen["temperature"] = 0.7  # n identical answers would be useless
        # As in instructlab-sdg, the run's max_num_tokens applies to the knowledge generator.
        limit = self.ctx.max_num_tokens
        if self.block_name == "gen_knowledge" and limit and limit != DEFAULT_MAX_NUM_TOKENS:
            gen["max_tokens"] = limit
        gen["max_tokens"] = int(gen["max_tokens"])
        return gen

    # -- without running ---------------------------------------------------------------------

    def estimate(self, rows: int) -> Estimate:
        """One request per row for ``n`` samples, each sample parsed into (at most) one row."""
        n = int(self.gen_kwargs.get("n", 1))
        return Estimate(rows, rows * n, rows * n)

    def fingerprint(self) -> dict[str, Any]:
        """The resolved generation settings and every prompt config this block read."""
        return {
            "gen_kwargs": self.gen_kwargs,
            "prompts": {key: prompt.fingerprint() for key, prompt in self.prompts.items()},
        }

    def columns_needed(self) -> set[str]:
        needed: set[str] = set()
        for prompt in self.prompts.values():
            needed |= prompt.columns
        if self.num_samples is not None:
            needed.discard("num_samples")
        return needed

    def columns_made(self, columns: set[str]) -> set[str]:
        made = columns | set(self.output_cols)
        if self.num_samples is not None:
            made.add("num_samples")
        return made

    # -- requests ------------------------------------------------------------------------------

    def _uses_completions(self) -> bool:
        # A block naming a prompt template or a model family asks for raw prompts: with the chat
        # API the server applies the model's own template and neither would mean anything.
        return (
            self.model_prompt is not None
            or self.model_family is not None
            or self.ctx.api == "completions"
        )

    def _model(self) -> str:
        model = self.model_id or self.gen_kwargs.get("model") or self.ctx.model_id
        if not model:
            raise BlockConfigParserError(
                f"{self.block_name}: no model id (set one in the block or the PipelineContext)"
            )
        return str(model)

    def _prompt_for(self, row: Row) -> _PromptConfig | None:
        return self.prompts[""]

    def request(self, row: Row) -> tuple[str, dict[str, Any]]:
        """The request for one row: (kind, body without ``n``). Raises on a missing column."""
        prompt = self._prompt_for(row)
        assert prompt is not None
        system = prompt.system.render(row).strip()
        user = prompt.user.render(row).strip()
        gen = {k: v for k, v in self.gen_kwargs.items() if k not in ("n", "model", "extra_body")}
        body: dict[str, Any] = {"model": self._model()}
        if self._uses_completions():
            body["prompt"] = self._completion_prompt(system, user)
        else:
            messages = [{"role": "user", "content": user}]
            if system:
                messages.insert(0, {"role": "system", "content": system})
            body["messages"] = messages
        body.update(gen)
        body.update(self.gen_kwargs.get("extra_body") or {})
        return ("completions" if self._uses_completions() else "chat"), body

    def _completion_prompt(self, system: str, user: str) -> str:
        from instructlab.sdg.prompts import detect_model_family

        text = f"{system}\n{user}".strip()
        if self.model_prompt == "":
            template: jinja2.Template = PromptRegistry.get_template("blank")
        elif self.model_prompt:
            template = PromptRegistry.template_from_string(self.model_prompt)
        else:
            family = detect_model_family(self.model_family or self.ctx.model_family, self._model())
            template = PromptRegistry.get_template(family)
        messages = [{"role": "user", "content": text}]
        return template.render(messages=messages, prompt=text, add_generation_prompt=True).strip()

    def parse(self, text: str, prompt: _PromptConfig | None = None) -> list[dict[str, str]]:
        """The rows' new columns found in one answer (empty when nothing parses)."""
        prompt = prompt or self.prompts[""]
        columns: dict[str, list[str]] = {}
        if self.pattern is not None:
            found = self.pattern.findall(text)
            columns = {c: [] for c in self.output_cols}
            for match in found:
                groups = match if isinstance(match, tuple) else (match,)
                for col, value in zip(self.output_cols, groups, strict=False):
                    columns[col].append(self._clean(value))
        elif prompt.start_tags or prompt.end_tags:
            for start, end, col in zip(
                prompt.start_tags, prompt.end_tags, self.output_cols, strict=False
            ):
                if not start and not end:
                    columns[col] = [text.strip()] if text.strip() else []
                    continue
                regex = re.escape(start) + r"(.*?)" + (re.escape(end) if end else r"$")
                columns[col] = [self._clean(m) for m in re.findall(regex, text, re.DOTALL)]
        else:
            columns = {self.output_cols[0]: [text.strip()] if text.strip() else []}
        if not columns or any(c not in columns for c in self.output_cols):
            return []
        count = min(len(v) for v in columns.values())
        out = []
        for k in range(count):
            values = {c: columns[c][k] for c in self.output_cols}
            if all(v == "" for v in values.values()):
                continue
            out.append(values)
        return out

    def _clean(self, value: str) -> str:
        value = value.strip()
        for tag in self.cleanup_tags:
            value = value.replace(tag, "")
        return value.strip()

    async def _one(self, i: int, row: Row, run: BlockRun) -> list[Row]:
        if self.num_samples is not None and "num_samples" not in row:
            row = {**row, "num_samples": self.num_samples}
        prompt = self._prompt_for(row)
        if prompt is None:
            return []
        try:
            kind, body = self.request(row)
        except Exception as exc:  # jinja2.UndefinedError: the row lacks a column
            run.fault(i, "missing column", str(exc))
            return []
        texts = await run.complete(i, kind, body, self.gen_kwargs["n"])
        out: list[Row] = []
        for text in texts:
            if text is None:
                continue
            if not text.strip():
                run.fault(i, "empty completion")
                continue
            parsed = self.parse(text, prompt)
            if not parsed:
                run.fault(i, "unparseable completion", text)
                continue
            out.extend({**row, **values} for values in parsed)
        return out

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        return list(await asyncio.gather(*(self._one(i, r, run) for i, r in enumerate(rows))))


@BlockRegistry.register("ConditionalLLMBlock")
class ConditionalLLMBlock(LLMBlock):
    """An LLMBlock whose prompt config is chosen per row by ``selector_column_name``:
    ``config_paths`` is a list of ``[path, value]`` pairs (a single ``[path, "All"]`` applies to
    every row)."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        config_paths: list[list[str]],
        output_cols: list[str],
        selector_column_name: str,
        **kwargs: Any,
    ) -> None:
        if not config_paths or any(
            not isinstance(p, (list, tuple)) or len(p) != 2 for p in config_paths
        ):
            raise BlockConfigParserError(
                f"{block_name}: config_paths must be a non-empty list of [path, selector value]"
            )
        self.selector = selector_column_name
        self._paths = [(str(p), str(v)) for p, v in config_paths]
        super().__init__(ctx, config_dir, block_name, self._paths[0][0], output_cols, **kwargs)

    def _load_prompts(self, config_path: str) -> dict[str, _PromptConfig]:
        if len(self._paths) == 1 and self._paths[0][1] == "All":
            return {"": _PromptConfig(self, self._paths[0][0])}
        return {value: _PromptConfig(self, path) for path, value in self._paths}

    def columns_needed(self) -> set[str]:
        needed = super().columns_needed()
        if "" not in self.prompts:
            needed.add(self.selector)
        return needed

    def _prompt_for(self, row: Row) -> _PromptConfig | None:
        if "" in self.prompts:
            return self.prompts[""]
        return self.prompts.get(str(row.get(self.selector)))

    async def _one(self, i: int, row: Row, run: BlockRun) -> list[Row]:
        if self._prompt_for(row) is None:
            run.fault(i, "no prompt for selector", f"{self.selector}={row.get(self.selector)!r}")
            return []
        return await super()._one(i, row, run)


@BlockRegistry.register("LLMMessagesBlock")
class LLMMessagesBlock(Block):
    """Sends the chat messages in ``input_col`` and stores the answer in ``output_col`` (a list
    of answers when ``n`` > 1)."""

    def __init__(
        self,
        ctx: PipelineContext,
        config_dir: Path | None,
        block_name: str,
        input_col: str,
        output_col: str,
        model_id: str | None = None,
        gen_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(ctx, config_dir, block_name)
        self.input_col = input_col
        self.output_col = output_col
        self.model_id = model_id
        given = dict(gen_kwargs or {})
        problems = check_gen_kwargs(block_name, given)
        if problems:
            raise BlockConfigParserError(f"{block_name}: " + "; ".join(problems))
        if given.get("n") == "scaled":
            given["n"] = int(ctx.num_instructions_to_generate or 1)
        self.gen_kwargs: dict[str, Any] = {
            "temperature": 0.0,
            "max_tokens": DEFAULT_MAX_NUM_TOKENS,
            **given,
        }
        self.n = int(self.gen_kwargs.pop("n", 1))
        if self.n > 1 and float(self.gen_kwargs["temperature"]) <= 0:
            self.gen_kwargs["temperature"] = 0.7

    def estimate(self, rows: int) -> Estimate:
        """One request per row for ``n`` samples, gathered into the same row."""
        return Estimate(rows, rows * self.n, rows)

    def fingerprint(self) -> dict[str, Any]:
        """The generation settings (the messages come from the rows)."""
        return {"gen_kwargs": self.gen_kwargs, "n": self.n}

    def columns_needed(self) -> set[str]:
        return {self.input_col}

    def columns_made(self, columns: set[str]) -> set[str]:
        return columns | {self.output_col}

    async def _one(self, i: int, row: Row, run: BlockRun) -> list[Row]:
        messages = row.get(self.input_col)
        if not isinstance(messages, list):
            run.fault(i, "missing column", f"{self.input_col} is not a list of messages")
            return []
        model = self.model_id or self.gen_kwargs.get("model") or self.ctx.model_id
        extra = self.gen_kwargs.get("extra_body") or {}
        body = {
            "model": model,
            "messages": messages,
            **{k: v for k, v in self.gen_kwargs.items() if k not in ("model", "extra_body")},
            **extra,
        }
        texts = await run.complete(i, "chat", body, self.n)
        good = [t for t in texts if t is not None and t.strip()]
        if len(good) < len(texts):
            run.fault(i, "empty completion")
        if not good:
            return []
        return [{**row, self.output_col: good if self.n > 1 else good[0]}]

    async def process(self, rows: list[Row], run: BlockRun) -> list[list[Row]]:
        return list(await asyncio.gather(*(self._one(i, r, run) for i, r in enumerate(rows))))
