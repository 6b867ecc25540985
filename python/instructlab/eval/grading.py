"""The run every judged benchmark shares: ask the model, grade each answer with the judge.

Each question is one coroutine: it asks turn 1, hands that answer to the judge while it asks turn
2 (with the whole dialogue so far), and so on, so answers and judgments overlap and the servers
stay busy. When the judge cannot run beside the model (both served here), answers come first
(:func:`run` without a judge) and the judgments after (:func:`judge_all`). Each judgment is ``k``
judge samples, each with its own seed; a sample whose text holds no rating counts as an error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from instructlab.eval.judge import (
    ChatClient,
    parse_rating,
    prompt_hash,
    rating_format,
    stable_seed,
)

__all__ = [
    "Graded",
    "Grader",
    "JudgedRun",
    "Judgment",
    "Question",
    "ReferenceGrader",
    "RunSettings",
    "answer_record",
    "judge_all",
    "judgment_records",
    "run",
]

log = logging.getLogger("instructlab.eval")


@dataclass
class Question:
    """One question of a benchmark: its turns, and what the judge may compare against."""

    qid: str
    category: str
    turns: list[str]
    #: A reference answer per turn (None: grade without one).
    references: list[str] | None = None
    #: What the question is reported under besides its category (a taxonomy leaf).
    group: str = ""
    #: Answers given with the question (DK-Bench's ``response``): not asked again.
    given: list[str] | None = None
    #: Fields to carry into the output files.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Judgment:
    """The judge's samples for one turn of one answer."""

    turn: int
    prompt: str
    texts: list[str | None]
    #: The ratings found (unparseable and failed samples are left out).
    scores: list[float]

    @property
    def errors(self) -> int:
        """Samples without a rating."""
        return len(self.texts) - len(self.scores)


@dataclass
class Graded:
    """A question, the model's answers (None where a request failed) and their judgments."""

    question: Question
    answers: list[str | None]
    judgments: list[Judgment] = field(default_factory=list)


class Grader(Protocol):
    """How a benchmark asks its judge."""

    #: The top of the rating scale (1..high).
    high: int

    @property
    def prompt_id(self) -> str:
        """The judge prompts' identity (a hash), reported beside the scores."""
        ...

    def turns(self, question: Question) -> list[int]:
        """The turns (1-based) to grade."""
        ...

    def messages(
        self, question: Question, answers: Sequence[str], turn: int
    ) -> tuple[str, list[dict[str, str]]]:
        """The prompt name and the judge's messages for one turn."""
        ...


class JudgedRun:
    """What every judged benchmark's result shares: the judge samples asked for and those
    without a rating (unparseable or failed), and their share."""

    judgments: int
    errors: int

    @property
    def error_rate(self) -> float:
        """Judge samples without a rating, as a share of all."""
        return self.errors / self.judgments if self.judgments else 0.0


class ReferenceGrader:
    """One turn, graded 1..``high`` against the question's reference answer.

    A benchmark sets the judge's system prompt, its template (``question``, ``reference`` and
    ``answer`` fields) and the prompt name recorded with each judgment.
    """

    high: int
    name: str
    system: str
    template: str

    @property
    def prompt_id(self) -> str:
        """The judge prompts' hash."""
        return prompt_hash(self.system, self.template)

    def turns(self, question: Question) -> list[int]:
        """The one turn."""
        return [1]

    def messages(
        self, question: Question, answers: Sequence[str], turn: int
    ) -> tuple[str, list[dict[str, str]]]:
        """The judge prompt for the answer, with the reference in it."""
        user = self.template.format(
            question=question.turns[0],
            reference=(question.references or [""])[0],
            answer=answers[0],
        )
        system = {"role": "system", "content": self.system}
        return self.name, [system, {"role": "user", "content": user}]


@dataclass
class RunSettings:
    """How answers are asked for and judged."""

    bench: str
    system_prompt: str | None = None
    #: One temperature for every answer (None: per category).
    temperature: float | None = None
    category_temperatures: dict[str, float] = field(default_factory=dict)
    default_temperature: float = 0.7
    max_tokens: int = 1024
    judge_samples: int = 1
    judge_temperature: float = 0.0
    judge_max_tokens: int = 2048
    merge_system_user_message: bool = False

    def temperature_for(self, question: Question) -> float:
        """The answering temperature: forced, the question's own, or its category's."""
        if self.temperature is not None:
            return self.temperature
        required = question.extra.get("required_temperature")
        if isinstance(required, int | float):
            return float(required)
        return self.category_temperatures.get(question.category, self.default_temperature)


class _Progress:
    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0
        self.step = max(1, total // 10)
        self.start = time.monotonic()

    def tick(self) -> None:
        self.done += 1
        if self.done % self.step == 0 or self.done == self.total:
            log.info(
                "%s: %d/%d (%.0f s)", self.what, self.done, self.total,
                time.monotonic() - self.start,
            )  # fmt: skip


async def _answer(
    question: Question,
    client: ChatClient,
    settings: RunSettings,
    on_turn: Any = None,
) -> list[str | None]:
    """The model's answers, turn by turn (a failed turn ends the dialogue)."""
    if question.given is not None:
        for turn, _ in enumerate(question.given, start=1):
            if on_turn is not None:
                on_turn(turn, list(question.given[:turn]))
        return list(question.given)
    messages: list[dict[str, str]] = []
    if settings.system_prompt:
        messages.append({"role": "system", "content": settings.system_prompt})
    answers: list[str | None] = []
    temperature = settings.temperature_for(question)
    for turn, text in enumerate(question.turns, start=1):
        messages.append({"role": "user", "content": text})
        reply = await client.chat(
            list(messages),
            place=f"{settings.bench}|answer|{question.qid}|{turn}",
            temperature=temperature,
            max_tokens=settings.max_tokens,
            seed=stable_seed(question.qid, turn),
        )
        answers.append(reply)
        if reply is None:
            answers += [None] * (len(question.turns) - turn)
            break
        messages.append({"role": "assistant", "content": reply})
        if on_turn is not None:
            on_turn(turn, [a for a in answers if a is not None])
    return answers


async def _judge(
    question: Question,
    answers: Sequence[str | None],
    turn: int,
    judge: ChatClient,
    grader: Grader,
    settings: RunSettings,
) -> Judgment:
    """``settings.judge_samples`` judge samples for one turn."""
    k = settings.judge_samples
    if any(a is None for a in answers[:turn]) or len(answers) < turn:
        return Judgment(turn, "", [None] * k, [])
    name, messages = grader.messages(question, [a or "" for a in answers], turn)
    if settings.merge_system_user_message and messages and messages[0]["role"] == "system":
        first, rest = messages[0], messages[1:]
        if rest and rest[0]["role"] == "user":
            rest = [{"role": "user", "content": f"{first['content']}\n{rest[0]['content']}"}]
            messages = rest + messages[2:]
    fmt = rating_format(grader.high) if judge.served.constrains else None
    max_tokens = min(settings.judge_max_tokens, 512) if fmt else settings.judge_max_tokens

    async def sample(index: int) -> str | None:
        return await judge.chat(
            messages,
            place=f"{settings.bench}|judge|{grader.prompt_id}|{question.qid}|{turn}",
            sample=index,
            temperature=settings.judge_temperature,
            max_tokens=max_tokens,
            seed=stable_seed(question.qid, turn, index),
            response_format=fmt,
        )

    texts = list(await asyncio.gather(*(sample(i) for i in range(k))))
    scores = [s for t in texts if (s := parse_rating(t, grader.high)) is not None]
    prompt = messages[-1]["content"] if messages else ""
    return Judgment(turn, f"{name}\n{prompt}", texts, scores)


async def run(
    questions: Sequence[Question],
    model: ChatClient | None,
    judge: ChatClient | None,
    grader: Grader,
    settings: RunSettings,
) -> list[Graded]:
    """Answers every question (``model`` None: only given answers) and, with a ``judge``,
    grades each turn as soon as its answer is there."""
    answering = _Progress(f"{settings.bench}: answers", len(questions))
    judging = _Progress(
        f"{settings.bench}: judgments", sum(len(grader.turns(q)) for q in questions)
    )

    async def one(question: Question) -> Graded:
        tasks: dict[int, asyncio.Task[Judgment]] = {}
        wanted = set(grader.turns(question))

        def on_turn(turn: int, so_far: list[str]) -> None:
            if judge is not None and turn in wanted:
                tasks[turn] = asyncio.ensure_future(_judged(question, so_far, turn))

        async def _judged(q: Question, so_far: Sequence[str | None], turn: int) -> Judgment:
            assert judge is not None
            done = await _judge(q, so_far, turn, judge, grader, settings)
            judging.tick()
            return done

        if model is None and question.given is None:
            raise ValueError(f"question {question.qid} has no answer and no model to ask")
        answers = await _answer(question, model, settings, on_turn)  # type: ignore[arg-type]
        answering.tick()
        graded = Graded(question, answers)
        if judge is not None:
            for turn in sorted(wanted):
                if turn not in tasks:  # its answer failed: graded as an error, nothing sent
                    tasks[turn] = asyncio.ensure_future(_judged(question, answers, turn))
            graded.judgments = list(await asyncio.gather(*(tasks[t] for t in sorted(tasks))))
        return graded

    return list(await asyncio.gather(*(one(q) for q in questions)))


async def judge_all(
    graded: Sequence[Graded], judge: ChatClient, grader: Grader, settings: RunSettings
) -> None:
    """Grades every answer of ``graded`` (answers asked for earlier)."""
    progress = _Progress(
        f"{settings.bench}: judgments", sum(len(grader.turns(g.question)) for g in graded)
    )

    async def one(g: Graded) -> None:
        async def turn_of(turn: int) -> Judgment:
            done = await _judge(g.question, g.answers, turn, judge, grader, settings)
            progress.tick()
            return done

        turns = grader.turns(g.question)
        g.judgments = list(await asyncio.gather(*(turn_of(t) for t in turns)))

    await asyncio.gather(*(one(g) for g in graded))


def answer_record(g: Graded, model_id: str) -> dict[str, Any]:
    """A FastChat ``model_answer`` line."""
    return {
        "question_id": g.question.qid,
        "answer_id": f"{g.question.qid}-{model_id}",
        "model_id": model_id,
        "choices": [{"index": 0, "turns": [a if a is not None else "$ERROR$" for a in g.answers]}],
        "tstamp": time.time(),
        **({"qna_file": g.question.group} if g.question.group else {}),
    }


def judgment_records(g: Graded, model_id: str, judge_id: str) -> list[dict[str, Any]]:
    """FastChat ``model_judgment`` lines (``score`` is the median of the samples, -1 when none
    has a rating), with every sample kept."""
    from instructlab.eval.noise import median_score

    records = []
    for j in g.judgments:
        name, _, prompt = j.prompt.partition("\n")
        score = median_score(j.scores)
        records.append(
            {
                "question_id": g.question.qid,
                "model": model_id,
                "judge": [judge_id, name],
                "user_prompt": prompt,
                "judgment": next((t for t in j.texts if t is not None), "$ERROR$"),
                "score": score if score is not None else -1,
                "turn": j.turn,
                "samples": j.texts,
                "sample_scores": j.scores,
                "tstamp": time.time(),
            }
        )
    return records
