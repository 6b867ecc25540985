"""Evaluation: the knowledge benchmarks (MMLU, MMLU-branch) on our own log-likelihood harness,
and the skills benchmarks (MT-Bench, MT-Bench-branch, DK-Bench) graded by a judge model over any
OpenAI-compatible endpoint, with the judge's own noise measured.

Knowledge: a question set
becomes prompts (:mod:`~instructlab.eval.prompts`), a scorer computes each
choice's log-likelihood (transformers in process with the few-shot prefix computed once per
subject, vLLM in process, or any OpenAI-compatible endpoint with prompt log-probabilities), and
the results add up to InstructLab's report. Names are imported on first use: importing this
package loads no ML stack.

>>> from instructlab.eval import evaluate_mmlu, PromptOptions
>>> result = evaluate_mmlu("path/to/model", data_dir="path/to/mmlu", tasks=["anatomy"])
>>> print(knowledge_report(result))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.eval.backends import ScorerOptions, open_scorer

    # The skills benchmarks (their per-leaf change is `mt_bench_branch.LeafChange`).
    from instructlab.eval.dk_bench import DkBenchResult
    from instructlab.eval.harness import PromptOptions
    from instructlab.eval.hf_scorer import TransformersScorer
    from instructlab.eval.mmlu import evaluate_mmlu
    from instructlab.eval.mmlu_branch import base_model_of, evaluate_mmlu_branch, find_branch_sets
    from instructlab.eval.mmlu_data import MMLU_SUBJECTS, find_mmlu, load_mmlu
    from instructlab.eval.mt_bench import MtBenchResult
    from instructlab.eval.mt_bench_branch import MtBenchBranchResult
    from instructlab.eval.noise import Estimate
    from instructlab.eval.openai_scorer import EndpointScorer, NoPromptLogprobs
    from instructlab.eval.prompts import MMLU_FORMAT, TaskFormat, build_items, format_from_task
    from instructlab.eval.questions import Question, QuestionSet
    from instructlab.eval.report import branch_report, knowledge_report, to_json, write_files
    from instructlab.eval.results import (
        BranchResult,
        KnowledgeResult,
        LeafChange,
        QuestionScore,
        SetScore,
    )
    from instructlab.eval.runner import Model
    from instructlab.eval.scoring import Item, Scorer
    from instructlab.eval.skills import (
        SkillsOptions,
        run_dk_bench,
        run_mt_bench,
        run_mt_bench_branch,
    )
    from instructlab.eval.vllm_scorer import VllmScorer

_HOMES = {
    "DkBenchResult": "dk_bench",
    "Estimate": "noise",
    "Model": "runner",
    "MtBenchBranchResult": "mt_bench_branch",
    "MtBenchResult": "mt_bench",
    "SkillsOptions": "skills",
    "run_dk_bench": "skills",
    "run_mt_bench": "skills",
    "run_mt_bench_branch": "skills",
    "BranchResult": "results",
    "EndpointScorer": "openai_scorer",
    "Item": "scoring",
    "KnowledgeResult": "results",
    "LeafChange": "results",
    "MMLU_FORMAT": "prompts",
    "MMLU_SUBJECTS": "mmlu_data",
    "NoPromptLogprobs": "openai_scorer",
    "PromptOptions": "harness",
    "Question": "questions",
    "QuestionScore": "results",
    "QuestionSet": "questions",
    "Scorer": "scoring",
    "ScorerOptions": "backends",
    "SetScore": "results",
    "TaskFormat": "prompts",
    "TransformersScorer": "hf_scorer",
    "VllmScorer": "vllm_scorer",
    "base_model_of": "mmlu_branch",
    "branch_report": "report",
    "build_items": "prompts",
    "evaluate_mmlu": "mmlu",
    "evaluate_mmlu_branch": "mmlu_branch",
    "find_branch_sets": "mmlu_branch",
    "find_mmlu": "mmlu_data",
    "format_from_task": "prompts",
    "knowledge_report": "report",
    "load_mmlu": "mmlu_data",
    "open_scorer": "backends",
    "to_json": "report",
    "write_files": "report",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "MMLU_FORMAT",
    "MMLU_SUBJECTS",
    "BranchResult",
    "DkBenchResult",
    "EndpointScorer",
    "Estimate",
    "Item",
    "KnowledgeResult",
    "LeafChange",
    "Model",
    "MtBenchBranchResult",
    "MtBenchResult",
    "NoPromptLogprobs",
    "PromptOptions",
    "Question",
    "QuestionScore",
    "QuestionSet",
    "Scorer",
    "ScorerOptions",
    "SetScore",
    "SkillsOptions",
    "TaskFormat",
    "TransformersScorer",
    "VllmScorer",
    "base_model_of",
    "branch_report",
    "build_items",
    "evaluate_mmlu",
    "evaluate_mmlu_branch",
    "find_branch_sets",
    "find_mmlu",
    "format_from_task",
    "knowledge_report",
    "load_mmlu",
    "open_scorer",
    "run_dk_bench",
    "run_mt_bench",
    "run_mt_bench_branch",
    "to_json",
    "write_files",
]
