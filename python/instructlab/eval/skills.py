"""The three skills benchmarks end to end: questions in, served models asked and judged, files
and reports out. ``instructlab.core`` resolves the options (flags over the configuration) and
calls these.

Each run folder holds FastChat's files (``model_answer/<model>.jsonl``,
``model_judgment/<judge>_single.jsonl``), the request cache ``requests.jsonl`` (a killed run
started again re-sends nothing it has an answer for), the result as JSON and a PNG of the scores.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from instructlab.eval.dk_bench import (
    DkBenchResult,
    DkGrader,
    dk_bench_questions,
    result_rows,
    scores_of,
    write_results,
)
from instructlab.eval.endpoints import EMBEDDED_JUDGE_LABEL, ServeSettings
from instructlab.eval.grading import (
    Graded,
    Grader,
    Question,
    RunSettings,
    answer_record,
    judgment_records,
)
from instructlab.eval.mt_bench import (
    CATEGORY_TEMPERATURES,
    FastChatGrader,
    MtBenchResult,
    file_stem,
    mt_bench_questions,
    summarise,
    timestamp,
)
from instructlab.eval.mt_bench_branch import (
    BranchGrader,
    MtBenchBranchResult,
    branch_questions,
    compare,
)
from instructlab.eval.mt_bench_data import load_mt_bench_data
from instructlab.eval.noise import estimate
from instructlab.eval.runner import Model, RunOutcome, evaluate
from instructlab.eval.skills_report import plot_scores, preload_plotting

__all__ = ["SkillsOptions", "run_dk_bench", "run_mt_bench", "run_mt_bench_branch"]

log = logging.getLogger("instructlab.eval")


@dataclass
class SkillsOptions:
    """What every skills benchmark run needs besides its own inputs."""

    output_dir: Path
    judge: Model
    settings: RunSettings
    serving: ServeSettings = dataclasses.field(default_factory=ServeSettings)
    tls: ssl.SSLContext | None = None
    max_workers: int | None = None
    new_run: bool = False


def _run(
    sets: Sequence[tuple[Model, Sequence[Question]]],
    grader: Grader,
    settings: RunSettings,
    opts: SkillsOptions,
    folder: Path,
) -> RunOutcome:
    from instructlab.fileio import ensure_dir

    ensure_dir(folder)
    preload_plotting()
    outcome = evaluate(
        sets,
        opts.judge,
        grader,
        settings,
        cache_file=folder / "requests.jsonl",
        serving=opts.serving,
        tls=opts.tls,
        max_workers=opts.max_workers,
        new_run=opts.new_run,
    )
    if outcome.failed:
        log.warning(
            "%d requests failed for good (counted as errors); the last: %s",
            outcome.failed,
            outcome.failures[-1] if outcome.failures else "?",
        )
    return outcome


def _write_fastchat(
    folder: Path, graded: list[Graded], model_id: str, judge_id: str
) -> dict[str, Path]:
    from instructlab.fileio import write_jsonl

    ordered = sorted(graded, key=lambda g: g.question.qid)
    answers = folder / "model_answer" / f"{file_stem(model_id)}.jsonl"
    judgments = folder / "model_judgment" / f"{file_stem(judge_id)}_single.jsonl"
    write_jsonl(answers, (answer_record(g, model_id) for g in ordered))
    write_jsonl(judgments, (r for g in ordered for r in judgment_records(g, model_id, judge_id)))
    return {"answers": answers, "judgments": judgments}


def _judge_label(outcome: RunOutcome) -> tuple[str, bool]:
    label = outcome.judge.label
    return label, label == EMBEDDED_JUDGE_LABEL


def _save_json(path: Path, data: dict[str, object]) -> Path:
    from instructlab.fileio import atomic_write_text

    return atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run_mt_bench(model: Model, data_dir: str | Path | None, opts: SkillsOptions) -> MtBenchResult:
    """MT-Bench for ``model``; the data (questions, judge prompts, references) is looked up as
    :func:`instructlab.eval.mt_bench_data.find_mt_bench_data` says."""
    data = load_mt_bench_data(data_dir)
    grader = FastChatGrader(data)
    settings = dataclasses.replace(
        opts.settings, bench="mt_bench", category_temperatures=CATEGORY_TEMPERATURES
    )
    folder = opts.output_dir
    outcome = _run([(model, mt_bench_questions(data))], grader, settings, opts, folder)
    graded, served = outcome.graded[0], outcome.models[0]
    files = _write_fastchat(folder, graded, served.model_id, outcome.judge.model_id)
    overall, turns, categories, samples, errors = summarise(graded)
    judge, embedded = _judge_label(outcome)
    name = str(model.model) if model.model else served.model_id
    result = MtBenchResult(
        name, judge, embedded, overall, turns, categories, samples, errors,
        settings.judge_samples, settings.judge_temperature, grader.prompt_id, folder, files,
        outcome.sent, outcome.cached,
    )  # fmt: skip
    stem = f"{file_stem(served.model_id)}_{timestamp()}"
    plot = plot_scores(
        folder / f"mt_bench_{stem}.png",
        f"MT-Bench: {served.model_id}",
        [(c, [("score", e)]) for c, e in categories.items()],
        result.max_score,
    )
    if plot is not None:
        result.files["plot"] = plot
    result.files["results"] = folder / f"mt_bench_{stem}.json"
    _save_json(result.files["results"], result.to_dict())
    return result


def run_mt_bench_branch(
    model: Model,
    base_model: Model,
    taxonomy: Path,
    branch: str,
    base_branch: str,
    opts: SkillsOptions,
) -> MtBenchBranchResult:
    """MT-Bench-branch: ``model`` on the seed examples at ``branch``, ``base_model`` on those at
    ``base_branch``, compared leaf by leaf."""
    from instructlab.errors import UsageError

    new_q, skipped = branch_questions(taxonomy, branch)
    base_q, base_skipped = branch_questions(taxonomy, base_branch)
    if not new_q:
        raise UsageError(
            f"branch: {taxonomy} holds no seed examples with a question and an answer at "
            f"'{branch}'",
            "branch",
        )
    grader = BranchGrader()
    settings = dataclasses.replace(opts.settings, bench="mt_bench_branch")
    folder = opts.output_dir
    sets = [(model, new_q)] + ([(base_model, base_q)] if base_q else [])
    outcome = _run(sets, grader, settings, opts, folder)
    graded = outcome.graded[0]
    base_graded = outcome.graded[1] if base_q else []
    files: dict[str, Path] = {}
    for label, part, served in zip(
        (branch, base_branch), outcome.graded, outcome.models, strict=False
    ):
        written = _write_fastchat(
            folder / file_stem(label), part, served.model_id, outcome.judge.model_id
        )
        files.update({f"{key}:{label}": path for key, path in written.items()})
    improvements, regressions, same, added = compare(graded, base_graded)
    _, _, _, samples, errors = summarise(graded + base_graded)
    judge, embedded = _judge_label(outcome)
    result = MtBenchBranchResult(
        str(model.model or outcome.models[0].model_id),
        str(base_model.model or (outcome.models[1].model_id if base_q else "")),
        branch, base_branch, judge, embedded,
        estimate([j.scores for g in graded for j in g.judgments]),
        estimate([j.scores for g in base_graded for j in g.judgments]),
        improvements, regressions, same, added, samples, errors, settings.judge_samples,
        settings.judge_temperature, grader.prompt_id, folder, skipped + base_skipped, files,
        outcome.sent, outcome.cached,
    )  # fmt: skip
    stem = f"{file_stem(branch)}_vs_{file_stem(base_branch)}_{timestamp()}"
    rows = [
        (c.leaf.removesuffix("/qna.yaml"), [("base", c.base), ("model", c.new)])
        for c in improvements + regressions + same + added
    ]
    plot = plot_scores(
        folder / f"mt_bench_branch_{stem}.png",
        f"MT-Bench-branch: {branch} vs {base_branch}",
        rows,
        result.max_score,
    )
    if plot is not None:
        result.files["plot"] = plot
    result.files["results"] = folder / f"mt_bench_branch_{stem}.json"
    _save_json(result.files["results"], result.to_dict())
    return result


def run_dk_bench(
    model: Model, input_questions: Path, formats: list[str], opts: SkillsOptions
) -> DkBenchResult:
    """DK-Bench over ``input_questions``; rows with a ``response`` are graded as they are."""
    questions = dk_bench_questions(input_questions)
    grader = DkGrader()
    settings = dataclasses.replace(opts.settings, bench="dk_bench")
    outcome = _run([(model, questions)], grader, settings, opts, opts.output_dir)
    graded, served = outcome.graded[0], outcome.models[0]
    asked = any(q.given is None for q in questions)
    name = served.model_id if asked else "no-model-provided"
    folder = opts.output_dir / file_stem(name)
    stamp = timestamp()
    scores, intervals = scores_of(graded)
    _, _, _, samples, errors = summarise(graded)
    judge, embedded = _judge_label(outcome)
    result = DkBenchResult(
        name, judge, embedded, scores, intervals,
        estimate([g.judgments[0].scores for g in graded if g.judgments]), samples, errors,
        settings.judge_samples, settings.judge_temperature, grader.prompt_id, folder,
        write_results(result_rows(graded, name, stamp), formats, folder, stamp),
        outcome.sent, outcome.cached,
    )  # fmt: skip
    plot = plot_scores(
        folder / f"dk_bench_{stamp}.png",
        f"DK-Bench: {name}",
        [(f"Q{i}", [("score", e)]) for i, e in enumerate(intervals, 1) if e is not None],
        result.max_score,
    )
    if plot is not None:
        result.files["plot"] = plot
    result.files["results"] = folder / f"dk_bench_{stamp}.json"
    _save_json(result.files["results"], result.to_dict())
    return result
