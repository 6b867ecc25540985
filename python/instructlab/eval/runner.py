"""One evaluation run: serve what must be served, ask, judge, in the order the servers allow.

When the judge and a model under test would both be served here (two local models: on one GPU
they may not fit together), the models answer first, each served in turn and stopped, and then
the judge is served and grades every answer. Otherwise the judge grades while the model answers
(see :mod:`instructlab.eval.grading`). Every request goes through the run folder's request cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from instructlab.eval.endpoints import ServeSettings, serve
from instructlab.eval.grading import Graded, Grader, Question, RunSettings, judge_all, run
from instructlab.eval.judge import ChatClient, Served

__all__ = ["Model", "RunOutcome", "evaluate"]

log = logging.getLogger("instructlab.eval")


@dataclass
class Model:
    """A model that answers (or judges): a path or name served here, or a name at an endpoint."""

    model: str | Path | None
    #: The SDK argument that names it (messages name it).
    param: str
    endpoint_url: str | None = None
    api_key: str | None = None
    #: The backend to serve it with here (None: the run's, else chosen from the model).
    backend: str | None = None

    @property
    def local(self) -> bool:
        """Served here."""
        return self.endpoint_url is None


@dataclass
class RunOutcome:
    """What one run produced."""

    #: One list per model set, in the order given.
    graded: list[list[Graded]]
    models: list[Served]
    judge: Served
    sent: int = 0
    cached: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)


def _open_cache(path: Path, new_run: bool) -> object:
    from instructlab.llm.cache import RequestCache

    if new_run:
        path.unlink(missing_ok=True)
    return RequestCache(path)


def evaluate(
    sets: Sequence[tuple[Model, Sequence[Question]]],
    judge: Model,
    grader: Grader,
    settings: RunSettings,
    *,
    cache_file: Path,
    serving: ServeSettings,
    tls: ssl.SSLContext | None = None,
    max_workers: int | None = None,
    new_run: bool = False,
) -> RunOutcome:
    """Answers each set's questions with its model and grades them with the judge."""
    if judge.local and judge.model:
        from instructlab.errors import ModelNotFound, UsageError
        from instructlab.models.resolve import resolve_model_path

        try:  # before any model is asked: a judge that cannot be found fails at once
            resolve_model_path(judge.model)
        except ModelNotFound as exc:
            raise UsageError(
                f"{judge.param}: {exc.message}; for a judge served elsewhere, give "
                "judge_endpoint_url",
                judge.param,
            ) from None
    cache = _open_cache(cache_file, new_run)
    # A server started here decodes at most as many sequences at once as it will be sent:
    # a small run does not pay for (or hold the memory of) sixteen slots.
    judged = sum(len(grader.turns(q)) for _, qs in sets for q in qs) * settings.judge_samples
    asked = max((len(qs) for _, qs in sets), default=1)
    model_serving = dataclasses.replace(serving, parallel=serving.parallel or min(16, asked))
    judge_serving = dataclasses.replace(serving, parallel=serving.parallel or min(16, judged))
    together = not (judge.local and any(m.local for m, _ in sets))
    clients: list[ChatClient] = []

    def client(served: Served, role: str) -> ChatClient:
        made = ChatClient(served, cache, max_concurrency=max_workers, role=role)
        clients.append(made)
        return made

    def serving_of(m: Model, role: str, stack: contextlib.ExitStack) -> Served:
        return stack.enter_context(
            serve(
                m.model,
                role=role,
                param=m.param,
                endpoint_url=m.endpoint_url,
                api_key=m.api_key,
                tls=tls if m.endpoint_url else None,
                settings=judge_serving if role == "judge" else model_serving,
                backend=m.backend,
            )
        )

    graded: list[list[Graded]] = []
    models: list[Served] = []
    try:
        with contextlib.ExitStack() as outer:
            judge_served: Served | None = None
            if together:
                judge_served = serving_of(judge, "judge", outer)
                asyncio.run(_check(judge_served, "judge"))  # before any model is served
            for m, questions in sets:
                with contextlib.ExitStack() as stack:
                    needs_model = any(q.given is None for q in questions)
                    served = serving_of(m, "model", stack) if needs_model else _no_model(m)
                    models.append(served)
                    graded.append(
                        asyncio.run(
                            _phase(
                                questions,
                                client(served, "model") if needs_model else None,
                                client(judge_served, "judge") if judge_served else None,
                                grader,
                                settings,
                            )
                        )
                    )
            if judge_served is None:
                judge_served = serving_of(judge, "judge", outer)
                every = [g for part in graded for g in part]
                asyncio.run(_judge_phase(every, client(judge_served, "judge"), grader, settings))
    finally:
        close = getattr(cache, "close", None)
        if close is not None:
            close()
    outcome = RunOutcome(graded, models, judge_served)
    for c in clients:
        outcome.sent += c.sent
        outcome.cached += c.cached
        outcome.failed += c.failed
        if c.last_failure:
            outcome.failures.append(c.last_failure)
    return outcome


def _no_model(m: Model) -> Served:
    """The stand-in for a model that is never asked (every answer was given)."""
    name = str(m.model) if m.model else "no-model-provided"
    return Served("", name, name, name)


async def _check(served: Served, role: str) -> None:
    probe = ChatClient(served, None, role=role)
    try:
        await probe.check()
    finally:
        await probe.aclose()


async def _phase(
    questions: Sequence[Question],
    model: ChatClient | None,
    judge: ChatClient | None,
    grader: Grader,
    settings: RunSettings,
) -> list[Graded]:
    try:
        for c in (model, judge):
            if c is not None:
                await c.check()
        return await run(questions, model, judge, grader, settings)
    finally:
        for c in (model, judge):
            if c is not None:
                await c.aclose()


async def _judge_phase(
    graded: list[Graded], judge: ChatClient, grader: Grader, settings: RunSettings
) -> None:
    try:
        await judge.check()
        await judge_all(graded, judge, grader, settings)
    finally:
        await judge.aclose()
