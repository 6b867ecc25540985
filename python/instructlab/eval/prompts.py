"""Questions to prompts: lm-evaluation-harness' multiple-choice format, k-shot, optionally inside
the model's chat template with a system prompt.

A prompt is ``description + examples + question``: each example is the question's text, the
target delimiter (a space) and its right answer; examples are joined and closed by the few-shot
delimiter (a blank line). Each choice is scored as the continuation ``" A"`` (MMLU: the letter)
or ``" <choice text>"`` (a task that says so). The few-shot part is the same for every question
of a subject, so its items share a ``group``: the transformers scorer computes that prefix once.

MMLU's examples are the first k of its dev split. An MMLU-branch set has no dev split: as in
lm-eval, its examples come from the set itself, never the question being asked; here they are
the first k others (lm-eval draws them at random), so most questions of a leaf share one prefix.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from instructlab.eval.questions import LETTERS, Question, QuestionSet
from instructlab.eval.scoring import Item
from instructlab.models.chat_template import ChatTemplate

__all__ = ["MMLU_FORMAT", "Prompted", "TaskFormat", "build_items", "format_from_task"]


def _mmlu_text(q: Question) -> str:
    lines = [q.question.strip()]
    lines += [f"{LETTERS[i]}. {choice}" for i, choice in enumerate(q.choices)]
    lines.append("Answer:")
    return "\n".join(lines)


def _letters(q: Question) -> list[str]:
    return list(LETTERS[: len(q.choices)])


@dataclass(frozen=True)
class TaskFormat:
    """How a question becomes text and what its choices are (lm-eval's task fields)."""

    doc_to_text: Callable[[Question], str]
    doc_to_choice: Callable[[Question], list[str]]
    target_delimiter: str = " "
    fewshot_delimiter: str = "\n\n"
    #: Text before everything (rendered per question); a set's own description wins when set.
    description: Callable[[Question], str] | None = None


#: MMLU as lm-eval and InstructLab score it: lettered choices, each scored by its letter.
MMLU_FORMAT = TaskFormat(_mmlu_text, _letters)


def _doc(q: Question) -> dict[str, Any]:
    return {"question": q.question, "choices": list(q.choices), "answer": q.answer}


def format_from_task(task: dict[str, Any]) -> TaskFormat:
    """The format an lm-eval task definition (a ``*_task.yaml``) describes: ``doc_to_text``,
    ``doc_to_choice`` (a list or a template rendering one), ``description``, delimiters.
    Missing fields take MMLU's values."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)

    def template(field: str) -> Callable[[Question], str] | None:
        source = task.get(field)
        if not isinstance(source, str):
            return None
        compiled = env.from_string(source)
        return lambda q: compiled.render(**_doc(q))

    text = template("doc_to_text") or _mmlu_text
    raw_choice = task.get("doc_to_choice")
    choice: Callable[[Question], list[str]]
    if isinstance(raw_choice, list):
        fixed = [str(c) for c in raw_choice]
        choice = lambda q: fixed  # noqa: E731
    elif isinstance(raw_choice, str):
        render = template("doc_to_choice")
        assert render is not None

        def choice(q: Question) -> list[str]:
            value = ast.literal_eval(render(q))
            return [str(c) for c in value]

    else:
        choice = _letters
    return TaskFormat(
        text,
        choice,
        str(task.get("target_delimiter", " ")),
        str(task.get("fewshot_delimiter", "\n\n")),
        template("description"),
    )


@dataclass(frozen=True)
class Prompted:
    """A question of a set, ready to score: its item and its right answer."""

    set_name: str
    index: int
    item: Item
    answer: int


def _examples(qset: QuestionSet, index: int, k: int) -> tuple[list[Question], str]:
    if qset.dev:
        return list(qset.dev[:k]), qset.name
    picked = [i for i in range(min(len(qset.test), k + 1)) if i != index][:k]
    return [qset.test[i] for i in picked], f"{qset.name}#{','.join(map(str, picked))}"


def build_items(
    qset: QuestionSet,
    few_shots: int,
    fmt: TaskFormat = MMLU_FORMAT,
    *,
    system_prompt: str | None = None,
    chat_template: ChatTemplate | None = None,
) -> list[Prompted]:
    """Every question of ``qset`` as a scoring item, with ``few_shots`` examples."""
    out: list[Prompted] = []
    for index, q in enumerate(qset.test):
        examples, group = _examples(qset, index, few_shots)
        description = qset.description or (fmt.description(q) if fmt.description else "")
        context = _context(q, examples, fmt, description, system_prompt, chat_template)
        choices = fmt.doc_to_choice(q)
        if len(choices) != len(q.choices):
            raise ValueError(
                f"{qset.name}: question {index + 1} has {len(q.choices)} choices, "
                f"its task format gives {len(choices)}"
            )
        item = Item(group, context, tuple(fmt.target_delimiter + c for c in choices))
        out.append(Prompted(qset.name, index, item, q.answer))
    return out


def _context(
    q: Question,
    examples: Sequence[Question],
    fmt: TaskFormat,
    description: str,
    system_prompt: str | None,
    chat_template: ChatTemplate | None,
) -> str:
    shots = ""
    if examples:
        rendered = [
            fmt.doc_to_text(e) + fmt.target_delimiter + fmt.doc_to_choice(e)[e.answer]
            for e in examples
        ]
        shots = fmt.fewshot_delimiter.join(rendered) + fmt.fewshot_delimiter
    body = shots + fmt.doc_to_text(q)
    system = fmt.fewshot_delimiter.join(p for p in (system_prompt, description) if p)
    if system_prompt and description:
        # lm-eval's join: the description already ends with its own blank line.
        system = f"{system_prompt}{fmt.fewshot_delimiter}{description}"
    if chat_template is None:
        return system + body
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": body})
    return chat_template.render(messages, add_generation_prompt=True)
