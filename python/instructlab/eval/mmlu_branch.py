"""MMLU-branch: did the trained model learn the branch's knowledge, compared with its base?

``ilab data generate`` writes, for every knowledge leaf, a multiple-choice set and the lm-eval
task that scores it (``node_datasets_<run>/mmlubench_<leaf>.jsonl`` and ``<leaf>_task.yaml``, see
:func:`instructlab.sdg.mmlu_branch.mmlu_branch_rows`). Both the trained model and its base are
scored on every set, by the same backend in the same precision; each leaf then counts as an
improvement, a regression or no change, keyed by its leaf path (the task name).

The base model is the one the training checkpoint records as its start weights
(``instructlab_checkpoint.json``, field ``base_model``), so a model trained from a de-quantised
GGUF is compared with those very weights; a base given explicitly wins, the configured
``evaluate.base_model`` comes last.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from instructlab.errors import FileError, UsageError
from instructlab.eval.backends import ScorerOptions, default_backend
from instructlab.eval.harness import PromptOptions, chat_template_for, prompt_sets, run
from instructlab.eval.prompts import TaskFormat, format_from_task
from instructlab.eval.questions import Question, QuestionSet
from instructlab.eval.results import BranchResult
from instructlab.eval.scoring import Progress
from instructlab.fileio import iter_jsonl, read_text

__all__ = [
    "CHECKPOINT_METADATA",
    "BranchSet",
    "base_model_of",
    "evaluate_mmlu_branch",
    "find_branch_sets",
]

#: The file a training checkpoint keeps its metadata in (``base_model``: its start weights).
CHECKPOINT_METADATA = "instructlab_checkpoint.json"
_DATA_PREFIX = "mmlubench_"
_TASK_SUFFIX = "_task.yaml"


@dataclass(frozen=True)
class BranchSet:
    """One leaf's questions and the format its task file gives them."""

    questions: QuestionSet
    format: TaskFormat
    data_file: Path


def _sets_folder(tasks_dir: Path) -> Path:
    """``tasks_dir`` itself when it holds sets, else its newest ``node_datasets_*`` that does."""
    if any(tasks_dir.glob(f"{_DATA_PREFIX}*.jsonl")):
        return tasks_dir
    candidates = [
        p
        for p in tasks_dir.rglob("node_datasets_*")
        if p.is_dir() and any(p.glob(f"{_DATA_PREFIX}*.jsonl"))
    ]
    if not candidates:
        raise FileError(
            str(tasks_dir),
            "holds no MMLU-branch sets (mmlubench_<leaf>.jsonl with <leaf>_task.yaml, written by "
            "`ilab data generate --pipeline full` for knowledge leaves, in "
            "node_datasets_<run>/); give --tasks-dir the node_datasets folder of a run",
        )
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name))


def _task(file: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(read_text(file, what="an lm-eval task file"))
    except yaml.YAMLError as exc:
        raise FileError(str(file), f"is not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise FileError(str(file), "is not an lm-eval task (a mapping with 'task')")
    return loaded


def _data_file(task: dict[str, Any], task_file: Path, name: str) -> Path:
    """The task's data file; when the folder was moved, the file of that name beside the task."""
    beside = task_file.parent / f"{_DATA_PREFIX}{name}.jsonl"
    files = (task.get("dataset_kwargs") or {}).get("data_files") or {}
    given = files.get("test") if isinstance(files, dict) else None
    if isinstance(given, list) and given:
        given = given[0]
    if isinstance(given, str):
        path = Path(given).expanduser()
        if not path.is_absolute():
            path = task_file.parent / path
        if path.is_file():
            return path
        if beside.is_file():
            return beside
        raise FileError(str(task_file), f"names {given} as its data, which is not there")
    return beside


def _read_set(name: str, file: Path) -> tuple[Question, ...]:
    out = []
    for line, _, row in iter_jsonl(file):
        choices = row.get("choices")
        answer = row.get("answer")
        question = row.get("question")
        if (
            not isinstance(question, str)
            or not isinstance(choices, list)
            or len(choices) < 2
            or not isinstance(answer, int)
            or not 0 <= answer < len(choices)
        ):
            raise FileError(
                f"{file}:{line}", "expected 'question', a list of 'choices' and an 'answer' index"
            )
        out.append(Question(question, tuple(str(c) for c in choices), answer))
    if not out:
        raise FileError(str(file), f"holds no questions for {name}")
    return tuple(out)


def find_branch_sets(tasks_dir: str | Path) -> tuple[Path, list[BranchSet]]:
    """The MMLU-branch sets under ``tasks_dir`` (a ``node_datasets_*`` folder, or a folder of
    runs: its newest one), each with its task's prompt format."""
    root = Path(tasks_dir).expanduser()
    if not root.exists():
        raise FileError(str(root), "no such folder (give --tasks-dir the node_datasets_* folder)")
    if not root.is_dir():
        raise FileError(str(root), "is not a folder (give --tasks-dir the node_datasets_* folder)")
    folder = _sets_folder(root)
    found: dict[str, BranchSet] = {}
    for task_file in sorted(folder.glob(f"*{_TASK_SUFFIX}")):
        task = _task(task_file)
        name = str(task.get("task") or task_file.name[: -len(_TASK_SUFFIX)])
        data = _data_file(task, task_file, name)
        if not data.is_file():
            continue  # a task of another kind (no MMLU-branch data beside it)
        found[name] = BranchSet(
            QuestionSet(name, _read_set(name, data)), format_from_task(task), data
        )
    for data in sorted(folder.glob(f"{_DATA_PREFIX}*.jsonl")):
        name = data.name[len(_DATA_PREFIX) : -len(".jsonl")]
        if name not in found and data not in {s.data_file for s in found.values()}:
            found[name] = BranchSet(
                QuestionSet(name, _read_set(name, data)), format_from_task({}), data
            )
    return folder, [found[k] for k in sorted(found)]


def base_model_of(model: str | Path) -> str | None:
    """The start weights a training checkpoint records (``instructlab_checkpoint.json``), if any.
    A relative path is taken from the checkpoint's folder."""
    folder = Path(model).expanduser()
    meta = folder / CHECKPOINT_METADATA if folder.is_dir() else None
    if meta is None or not meta.is_file():
        return None
    try:
        data = json.loads(read_text(meta, what="checkpoint metadata"))
    except json.JSONDecodeError as exc:
        raise FileError(str(meta), f"is not valid JSON: {exc}") from None
    base = data.get("base_model") if isinstance(data, dict) else None
    if not isinstance(base, str) or not base.strip():
        return None
    if base.startswith("embedded://") or Path(base).expanduser().is_absolute():
        return base
    beside = folder / base
    return str(beside) if beside.exists() else base


def evaluate_mmlu_branch(
    model: str | Path,
    tasks_dir: str | Path,
    *,
    base_model: str | Path | None = None,
    fallback_base_model: str | Path | None = None,
    prompts: PromptOptions | None = None,
    scorer: ScorerOptions | None = None,
    progress: Progress | None = None,
) -> BranchResult:
    """Scores ``model`` and its base on the branch's sets and compares them leaf by leaf.

    The base is ``base_model`` if given, else what the checkpoint records, else
    ``fallback_base_model`` (the configured one)."""
    prompts = prompts or PromptOptions()
    scorer = scorer or ScorerOptions()
    _, found = find_branch_sets(tasks_dir)
    if not found:
        raise FileError(str(tasks_dir), "holds no MMLU-branch sets with questions")
    recorded = base_model_of(model) if base_model is None else None
    base = base_model or recorded or fallback_base_model
    if not base:
        raise UsageError(
            "base_model: MMLU-branch compares the model with its base; give --base-model "
            f"(the model has no {CHECKPOINT_METADATA} naming its start weights)",
            param="base_model",
        )
    source = "checkpoint" if recorded and base == recorded else "given"
    if scorer.endpoint_url is not None:
        _check_endpoint_serves(scorer, [str(model), str(base)])
    else:
        from instructlab.models.resolve import resolve_model_path

        paths = [resolve_model_path(model), resolve_model_path(base)]
        if scorer.backend is None:
            scorer = _with_backend(scorer, default_backend(*paths))
    sets = [s.questions for s in found]
    formats = {s.questions.name: s.format for s in found}
    results = []
    for which in (model, base):
        template = chat_template_for(which, prompts.chat_template)
        prompted = prompt_sets(sets, prompts, lambda q: formats[q.name], template)
        results.append(
            run("mmlu_branch", which, sets, prompted, scorer, prompts.few_shots, str, progress)
        )
    return BranchResult.compare(results[0], results[1], source)


def _check_endpoint_serves(scorer: ScorerOptions, models: list[str]) -> None:
    from instructlab.llm.endpoint import Endpoint

    assert scorer.endpoint_url is not None
    served = Endpoint(scorer.endpoint_url, scorer.api_key, timeout=30).models()
    missing = [m for m in models if m not in served]
    if missing:
        raise UsageError(
            f"base_model: {scorer.endpoint_url} serves {', '.join(served) or 'no model'}, not "
            f"{', '.join(missing)}; MMLU-branch through an endpoint needs both the model and its "
            "base served there (or leave out --endpoint-url to load both here)",
            param="base_model",
        )


def _with_backend(options: ScorerOptions, backend: str) -> ScorerOptions:
    from dataclasses import replace

    return replace(options, backend=backend)


def leaf_names(sets: Sequence[BranchSet]) -> list[str]:
    """The leaf paths (task names) of ``sets``."""
    return [s.questions.name for s in sets]
