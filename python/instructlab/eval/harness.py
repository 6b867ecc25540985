"""The harness both knowledge benchmarks run: question sets -> prompts -> a scorer -> scores.

Everything that can fail on the user's input (the data, the model path, the chat template) is
checked before a model is loaded or a server started.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from instructlab.eval.backends import ScorerOptions, open_scorer
from instructlab.eval.prompts import MMLU_FORMAT, Prompted, TaskFormat, build_items
from instructlab.eval.questions import QuestionSet
from instructlab.eval.results import KnowledgeResult, QuestionScore, SetScore, mean_stderr
from instructlab.eval.scoring import Progress, Scorer
from instructlab.models.chat_template import ChatTemplate

__all__ = ["PromptOptions", "chat_template_for", "prompt_sets", "score_prompted"]


@dataclass(frozen=True)
class PromptOptions:
    """How questions become prompts."""

    few_shots: int = 5
    system_prompt: str | None = None
    #: Render prompts through the model's chat template (a template text or file, or True for
    #: the model's own); the system prompt then goes into its system turn.
    chat_template: bool | str = False


def chat_template_for(model: str | Path, option: bool | str) -> ChatTemplate | None:
    """The chat template prompts go through, if any: the model's own (``True``) or one given."""
    if option is False:
        return None
    from instructlab.models.tokenizer import load_tokenizer

    given = None if option is True else option
    source = load_tokenizer(model, chat_template=given)
    specials = source.special_tokens
    return ChatTemplate(
        source.chat_template, specials.get("bos_token", ""), specials.get("eos_token", "")
    )


def prompt_sets(
    sets: Sequence[QuestionSet],
    options: PromptOptions,
    fmt: TaskFormat | Callable[[QuestionSet], TaskFormat] = MMLU_FORMAT,
    template: ChatTemplate | None = None,
) -> list[Prompted]:
    """Every question of every set as a scoring item."""
    out: list[Prompted] = []
    for qset in sets:
        chosen = fmt(qset) if callable(fmt) and not isinstance(fmt, TaskFormat) else fmt
        assert isinstance(chosen, TaskFormat)
        out += build_items(
            qset,
            options.few_shots,
            chosen,
            system_prompt=options.system_prompt,
            chat_template=template,
        )
    return out


def score_prompted(
    scorer: Scorer, prompted: Sequence[Prompted], progress: Progress | None = None
) -> list[QuestionScore]:
    """Scores every item; the pick is the most likely choice (the first one on a tie)."""
    values = scorer.loglikelihoods([p.item for p in prompted], progress)
    scores = []
    for p, lls in zip(prompted, values, strict=True):
        best = max(range(len(lls)), key=lambda k: (lls[k], -k))
        scores.append(QuestionScore(p.set_name, p.index, tuple(lls), best, p.answer))
    return scores


def set_scores(
    sets: Sequence[QuestionSet], questions: Sequence[QuestionScore], task: Callable[[str], str]
) -> list[SetScore]:
    """Accuracy and its standard error per set, in the sets' order."""
    by_set: dict[str, list[float]] = {s.name: [] for s in sets}
    for q in questions:
        by_set[q.set_name].append(1.0 if q.correct else 0.0)
    return [
        SetScore(name, task(name), int(sum(hits)), len(hits), mean_stderr(hits))
        for name, hits in by_set.items()
    ]


def run(
    benchmark: str,
    model: str | Path,
    sets: Sequence[QuestionSet],
    prompted: Sequence[Prompted],
    scorer_options: ScorerOptions,
    few_shots: int,
    task: Callable[[str], str],
    progress: Progress | None = None,
) -> KnowledgeResult:
    """Opens a scorer for ``model``, scores everything, and adds it up."""
    with open_scorer(model, scorer_options) as opened:
        started = time.monotonic()
        questions = score_prompted(opened.scorer, prompted, progress)
        scoring = time.monotonic() - started
        backend = opened.scorer.description
    return KnowledgeResult(
        benchmark,
        str(model),
        backend,
        few_shots,
        tuple(set_scores(sets, questions, task)),
        tuple(questions),
        opened.startup_seconds,
        scoring,
    )
