"""MMLU: 57 subjects of four-choice questions, k-shot from each subject's dev split.

The score is InstructLab's: accuracy per subject (``mmlu_<subject>``) and their unweighted mean;
the sample-weighted accuracy and standard errors come with it. MMLU is read from the user's disk
(:mod:`instructlab.eval.mmlu_data`); ``INSTRUCTLAB_EVAL_MMLU_MIN_TASKS`` (InstructLab's variable)
keeps the first four subjects, for a quick check.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from instructlab.eval.backends import ScorerOptions
from instructlab.eval.harness import PromptOptions, chat_template_for, prompt_sets, run
from instructlab.eval.mmlu_data import load_mmlu, task_name
from instructlab.eval.results import KnowledgeResult
from instructlab.eval.scoring import Progress

__all__ = ["MIN_TASKS_ENV", "evaluate_mmlu"]

#: InstructLab's switch for a quick run on the first four subjects.
MIN_TASKS_ENV = "INSTRUCTLAB_EVAL_MMLU_MIN_TASKS"


def evaluate_mmlu(
    model: str | Path,
    *,
    data_dir: str | Path | None = None,
    tasks: Sequence[str] | None = None,
    prompts: PromptOptions | None = None,
    scorer: ScorerOptions | None = None,
    progress: Progress | None = None,
) -> KnowledgeResult:
    """Scores ``model`` on MMLU (all subjects found, or ``tasks``) and returns the result."""
    prompts = prompts or PromptOptions()
    scorer = scorer or ScorerOptions()
    _, sets = load_mmlu(data_dir, tasks, few_shots=prompts.few_shots)
    if tasks is None and os.environ.get(MIN_TASKS_ENV) is not None:
        sets = sets[:4]
    if scorer.endpoint_url is None:
        from instructlab.models.resolve import resolve_model_path

        resolve_model_path(model)  # a model that is not there fails before anything starts
    template = chat_template_for(model, prompts.chat_template)
    prompted = prompt_sets(sets, prompts, template=template)
    return run("mmlu", model, sets, prompted, scorer, prompts.few_shots, task_name, progress)
