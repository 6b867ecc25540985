"""Finding and reading MMLU from the user's disk: it is never shipped nor downloaded.

Three layouts are read:

- the original CSV release: ``dev/<subject>_dev.csv`` and ``test/<subject>_test.csv`` (also under
  a ``data/`` folder, as the archive unpacks), rows ``question,A,B,C,D,answer-letter``, no header;
- lm-evaluation-harness' parquet layout (the Hugging Face ``cais/mmlu`` or
  ``hails/mmlu_no_train`` repository): ``<subject>/test-*.parquet`` and ``<subject>/dev-*.parquet``
  with ``question``, ``choices`` and ``answer`` (an index) columns;
- the Hugging Face caches when present: the hub cache holds the parquet layout under
  ``datasets--cais--mmlu/snapshots/<revision>/``; the datasets cache holds Arrow files under
  ``cais___mmlu/<subject>/<version>/<hash>/mmlu-test.arrow``.

Without a path, ``<data dir>/mmlu`` (``~/.local/share/instructlab/mmlu``) is looked at first, then
the caches. When nothing is found the error says where to put the files.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab.config import paths
from instructlab.errors import FileError, UsageError
from instructlab.eval.questions import LETTERS, Question, QuestionSet
from instructlab.extras import require
from instructlab.fileio import read_bytes, read_text

__all__ = [
    "MMLU_SUBJECTS",
    "MmluSource",
    "default_mmlu_dir",
    "find_mmlu",
    "load_mmlu",
    "subject_description",
    "task_name",
]

#: The 57 MMLU subjects, in the order InstructLab reports them.
MMLU_SUBJECTS: tuple[str, ...] = (
    "abstract_algebra",
    "anatomy",
    "astronomy",
    "business_ethics",
    "clinical_knowledge",
    "college_biology",
    "college_chemistry",
    "college_computer_science",
    "college_mathematics",
    "college_medicine",
    "college_physics",
    "computer_security",
    "conceptual_physics",
    "econometrics",
    "electrical_engineering",
    "elementary_mathematics",
    "formal_logic",
    "global_facts",
    "high_school_biology",
    "high_school_chemistry",
    "high_school_computer_science",
    "high_school_european_history",
    "high_school_geography",
    "high_school_government_and_politics",
    "high_school_macroeconomics",
    "high_school_mathematics",
    "high_school_microeconomics",
    "high_school_physics",
    "high_school_psychology",
    "high_school_statistics",
    "high_school_us_history",
    "high_school_world_history",
    "human_aging",
    "human_sexuality",
    "international_law",
    "jurisprudence",
    "logical_fallacies",
    "machine_learning",
    "management",
    "marketing",
    "medical_genetics",
    "miscellaneous",
    "moral_disputes",
    "moral_scenarios",
    "nutrition",
    "philosophy",
    "prehistory",
    "professional_accounting",
    "professional_law",
    "professional_medicine",
    "professional_psychology",
    "public_relations",
    "security_studies",
    "sociology",
    "us_foreign_policy",
    "virology",
    "world_religions",
)

#: Hugging Face repositories that hold MMLU in the parquet layout.
_HF_REPOS = ("cais/mmlu", "hails/mmlu_no_train")
_SPLIT_FILES = {"test": ("test",), "dev": ("dev",)}


def task_name(subject: str) -> str:
    """InstructLab's (and lm-eval's) name of a subject's task: ``mmlu_<subject>``."""
    return f"mmlu_{subject}"


def subject_description(subject: str) -> str:
    """The sentence that opens every MMLU prompt of ``subject`` (lm-eval's wording)."""
    readable = subject.replace("_", " ")
    return f"The following are multiple choice questions (with answers) about {readable}.\n\n"


def default_mmlu_dir() -> Path:
    """Where MMLU is looked for first when no path is given (``<data dir>/mmlu``)."""
    return paths.data_dir() / "mmlu"


@dataclass(frozen=True)
class MmluSource:
    """Where MMLU was found and in which layout (``csv``, ``parquet`` or ``arrow``)."""

    root: Path
    layout: str
    #: subject -> split ("test", "dev") -> file
    files: dict[str, dict[str, Path]]

    @property
    def subjects(self) -> list[str]:
        """The subjects with a test split, in MMLU's order (unknown names last, sorted)."""
        found = [s for s, splits in self.files.items() if "test" in splits]
        order = {s: i for i, s in enumerate(MMLU_SUBJECTS)}
        return sorted(found, key=lambda s: (order.get(s, len(order)), s))


# --- finding ----------------------------------------------------------------------------------


def _csv_files(root: Path) -> dict[str, dict[str, Path]]:
    files: dict[str, dict[str, Path]] = {}
    for split in ("test", "dev"):
        folder = root / split
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob(f"*_{split}.csv")):
            files.setdefault(file.name[: -len(f"_{split}.csv")], {})[split] = file
    return files


def _split_of(name: str, suffix: str) -> str | None:
    stem = name[: -len(suffix)]
    for split, prefixes in _SPLIT_FILES.items():
        if any(stem == p or stem.startswith(f"{p}-") or stem.endswith(f"-{p}") for p in prefixes):
            return split
    return None


def _columnar_files(root: Path, suffix: str) -> dict[str, dict[str, Path]]:
    files: dict[str, dict[str, Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in ("all", "auxiliary_train"):
            continue
        found = sorted(folder.rglob(f"*{suffix}"))
        for file in found:
            split = _split_of(file.name, suffix)
            if split is not None:
                files.setdefault(folder.name, {}).setdefault(split, file)
    return files


def _layout(root: Path) -> MmluSource | None:
    """The MMLU layout at ``root`` (or its ``data/`` folder), if any."""
    for base in (root, root / "data"):
        if not base.is_dir():
            continue
        files = _csv_files(base)
        if any("test" in s for s in files.values()):
            return MmluSource(base, "csv", files)
        for suffix, layout in ((".parquet", "parquet"), (".arrow", "arrow")):
            files = _columnar_files(base, suffix)
            if any("test" in s for s in files.values()):
                return MmluSource(base, layout, files)
    return None


def _hf_home() -> Path:
    return Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface").expanduser()


def _hf_caches() -> list[Path]:
    """MMLU folders in the Hugging Face hub and datasets caches (newest snapshot first)."""
    hub = Path(os.environ.get("HF_HUB_CACHE") or _hf_home() / "hub").expanduser()
    datasets = Path(os.environ.get("HF_DATASETS_CACHE") or _hf_home() / "datasets").expanduser()
    found: list[Path] = []
    for repo in _HF_REPOS:
        snapshots = hub / ("datasets--" + repo.replace("/", "--")) / "snapshots"
        if snapshots.is_dir():
            found += sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        found.append(datasets / repo.replace("/", "___"))
    return found


def find_mmlu(data_dir: str | Path | None = None) -> MmluSource:
    """Where MMLU is: ``data_dir`` if given, else ``<data dir>/mmlu``, else the Hugging Face
    caches. :class:`~instructlab.errors.FileError` says where to put it when it is nowhere."""
    if data_dir is not None:
        root = Path(data_dir).expanduser()
        if not root.exists():
            raise FileError(str(root), "no such folder; " + _where_to_put_it(root))
        if not root.is_dir():
            raise FileError(str(root), "is not a folder; " + _where_to_put_it(root))
        found = _layout(root)
        if found is None:
            raise FileError(str(root), "holds no MMLU data; " + _where_to_put_it(root))
        return found
    looked = [default_mmlu_dir(), *_hf_caches()]
    for root in looked:
        if root.is_dir() and (found := _layout(root)) is not None:
            return found
    raise FileError(
        str(default_mmlu_dir()),
        "no MMLU data found (MMLU is not shipped with instructlab and is never downloaded); "
        + _where_to_put_it(default_mmlu_dir())
        + f", or pass its folder with --mmlu-data (also looked in the Hugging Face caches: "
        f"{', '.join(str(p) for p in looked[1:])})",
    )


def _where_to_put_it(root: Path) -> str:
    return (
        f"put MMLU's CSV files in {root}/dev/<subject>_dev.csv and {root}/test/<subject>_test.csv "
        f"(the original release), or lm-eval's parquet files in "
        f"{root}/<subject>/test-*.parquet and dev-*.parquet"
    )


# --- reading ----------------------------------------------------------------------------------


def _question(file: Path, line: int | None, question: Any, choices: Any, answer: Any) -> Question:
    where = f"{file}:{line}" if line is not None else str(file)
    if not isinstance(question, str) or not question.strip():
        raise FileError(where, "a row has no question text")
    if not isinstance(choices, Sequence) or isinstance(choices, str) or len(choices) < 2:
        raise FileError(where, "a row needs at least two choices")
    if isinstance(answer, str):
        letter = answer.strip().upper()
        if len(letter) != 1 or letter not in LETTERS[: len(choices)]:
            raise FileError(where, f"the answer {answer!r} is not a choice letter")
        index = LETTERS.index(letter)
    elif isinstance(answer, int) and not isinstance(answer, bool):
        index = answer
    else:
        raise FileError(where, f"the answer {answer!r} is neither a letter nor an index")
    if not 0 <= index < len(choices):
        raise FileError(where, f"the answer {answer!r} is not one of the {len(choices)} choices")
    return Question(question, tuple(str(c) for c in choices), index)


def _read_csv(file: Path) -> list[Question]:
    text = read_text(file, what="an MMLU CSV file")
    out: list[Question] = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or (line == 1 and [c.strip().lower() for c in row[:2]] == ["question", "a"]):
            continue
        if len(row) < 4:
            raise FileError(f"{file}:{line}", f"expected question, choices and answer, got {row}")
        out.append(_question(file, line, row[0], row[1:-1], row[-1]))
    return out


def _table_rows(file: Path, layout: str) -> list[dict[str, Any]]:
    pa = require("pyarrow", "data", "reading MMLU's parquet or Arrow files")
    try:
        if layout == "parquet":
            pq = require("pyarrow.parquet", "data", "reading MMLU's parquet files")
            table = pq.read_table(io.BytesIO(read_bytes(file)))
        else:
            data = read_bytes(file)
            try:
                table = pa.ipc.open_stream(data).read_all()
            except pa.ArrowInvalid:
                table = pa.ipc.open_file(data).read_all()
    except (pa.ArrowException, OSError) as exc:
        raise FileError(str(file), f"cannot be read as {layout}: {exc}") from None
    missing = {"question", "choices", "answer"} - set(table.column_names)
    if missing:
        raise FileError(str(file), f"lacks the column(s) {', '.join(sorted(missing))}")
    rows: list[dict[str, Any]] = table.select(["question", "choices", "answer"]).to_pylist()
    return rows


def _read_table(file: Path, layout: str) -> list[Question]:
    return [
        _question(file, None, r["question"], r["choices"], r["answer"])
        for r in _table_rows(file, layout)
    ]


def _read(file: Path, layout: str) -> list[Question]:
    return _read_csv(file) if layout == "csv" else _read_table(file, layout)


_PREFIX = re.compile(r"^mmlu_")


def _wanted(source: MmluSource, subjects: Iterable[str] | None) -> list[str]:
    available = source.subjects
    if subjects is None:
        return available
    chosen: list[str] = []
    unknown: list[str] = []
    for name in subjects:
        subject = _PREFIX.sub("", name.strip())
        if subject in available:
            if subject not in chosen:
                chosen.append(subject)
        else:
            unknown.append(name)
    if unknown:
        raise UsageError(
            f"tasks: {', '.join(unknown)} not in the MMLU data at {source.root} "
            f"(it has {len(available)} subjects, e.g. {', '.join(available[:3])})",
            param="tasks",
        )
    if not chosen:
        raise UsageError("tasks: no subject given", param="tasks")
    return chosen


def load_mmlu(
    data_dir: str | Path | None = None,
    subjects: Iterable[str] | None = None,
    *,
    few_shots: int = 5,
) -> tuple[MmluSource, list[QuestionSet]]:
    """MMLU's subjects (all found, or ``subjects``: names with or without ``mmlu_``), each with
    its test questions and its dev examples. A subject without a dev split is an error when
    ``few_shots`` > 0 (its examples come from there)."""
    source = find_mmlu(data_dir)
    sets: list[QuestionSet] = []
    for subject in _wanted(source, subjects):
        splits = source.files[subject]
        test = _read(splits["test"], source.layout)
        if not test:
            raise FileError(str(splits["test"]), "holds no questions")
        dev: list[Question] = []
        if few_shots > 0:
            if "dev" not in splits:
                raise FileError(
                    str(source.root),
                    f"has no dev split for {subject}: the {few_shots}-shot examples come from "
                    "it (give --few-shots 0 to go without)",
                )
            dev = _read(splits["dev"], source.layout)
        sets.append(
            QuestionSet(subject, tuple(test), tuple(dev), description=subject_description(subject))
        )
    return source, sets
