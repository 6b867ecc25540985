"""Recipes: which data sets a training mix takes, how much of each, and its system prompt.

A recipe is YAML ``{"datasets": [{"path", "sampling_size"}], "metadata": {"sys_prompt"}}``;
paths are relative to the recipe file; an int ``sampling_size`` is a row count, a float a
ratio. Systems ship default recipes (``knowledge.yaml``, ``skills.yaml``) in
``$XDG_DATA_DIRS/instructlab/sdg/default_data_recipes``; generation starts its recipes from them.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from instructlab.config import paths
from instructlab.errors import FileError, UsageError
from instructlab.fileio import (
    atomic_write_text,
    count_jsonl_rows,
    read_jsonl,
    read_text,
    write_jsonl,
)
from instructlab.sdg.records import has_content, to_training_record, with_system_prompt

if TYPE_CHECKING:
    from instructlab.sdg.mixclean import MixCleaner, MixCleaning

#: Seed of every random choice made while sampling.
SEED = 42

Row = dict[str, Any]


@dataclass
class RecipeDataset:
    """One data set of a recipe: a JSONL path (relative to the recipe) and how much of it."""

    path: str
    sampling_size: int | float = 1.0


@dataclass
class Recipe:
    """How data sets are mixed: what to take from each, and the system prompt of the mix."""

    datasets: list[RecipeDataset] = field(default_factory=list)
    sys_prompt: str | None = None
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        """Reads a recipe file, reporting every problem at once (file and field named).

        Raises:
            FileError: the file cannot be read or is not a valid recipe.
        """
        source = Path(path)
        try:
            data = yaml.safe_load(read_text(source, what="a recipe (YAML)"))
        except yaml.YAMLError as exc:
            raise FileError(str(source), f"not valid YAML ({exc})") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise FileError(str(source), "a recipe is a mapping with a `datasets` list")
        problems: list[str] = []
        unknown = sorted(set(data) - {"datasets", "metadata"})
        if unknown:
            problems.append(f"unknown keys {unknown} (expected `datasets`, `metadata`)")
        listed = data.get("datasets") or []
        if not isinstance(listed, list):
            problems.append("`datasets` must be a list")
            listed = []
        datasets: list[RecipeDataset] = []
        for index, entry in enumerate(listed):
            where = f"datasets[{index}]"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected a mapping with `path` and `sampling_size`")
                continue
            ds_path = entry.get("path")
            size = entry.get("sampling_size", 1.0)
            if not isinstance(ds_path, str) or not ds_path:
                problems.append(f"{where}.path: expected a file path")
            if isinstance(size, bool) or not isinstance(size, int | float) or size < 0:
                problems.append(f"{where}.sampling_size: expected a row count or a ratio")
            elif isinstance(ds_path, str) and ds_path:
                datasets.append(RecipeDataset(ds_path, size))
        metadata = data.get("metadata") or {}
        prompt = metadata.get("sys_prompt") if isinstance(metadata, dict) else None
        if prompt is not None and not isinstance(prompt, str):
            problems.append("metadata.sys_prompt: expected text")
            prompt = None
        if problems:
            raise FileError(str(source), "invalid recipe:\n  " + "\n  ".join(problems))
        return cls(datasets, prompt, source)

    def resolve(self, dataset: RecipeDataset) -> Path:
        """A data set's file: relative paths are read from the recipe's folder."""
        candidate = Path(dataset.path).expanduser()
        if candidate.is_absolute() or self.path is None:
            return candidate
        return self.path.parent / candidate

    def add(self, path: str | Path, sampling_size: int | float = 1.0) -> None:
        """Adds a data set."""
        self.datasets.append(RecipeDataset(str(path), sampling_size))

    def to_dict(self) -> dict[str, Any]:
        """The recipe as its YAML file holds it."""
        return {
            "datasets": [{"path": d.path, "sampling_size": d.sampling_size} for d in self.datasets],
            "metadata": {"sys_prompt": self.sys_prompt or ""},
        }

    def save(self, path: str | Path) -> Path:
        """Writes the recipe; it then resolves its relative paths from its new folder."""
        target = atomic_write_text(path, yaml.safe_dump(self.to_dict(), sort_keys=False))
        self.path = target
        return target

    def total_rows(self) -> int:
        """How many rows the mix will have (files that do not exist count as empty)."""
        total = 0
        for dataset in self.datasets:
            file = self.resolve(dataset)
            rows = count_jsonl_rows(file) if file.is_file() else 0
            total += _sample_count(rows, dataset.sampling_size)
        return total


def _sample_count(rows: int, sampling_size: int | float) -> int:
    if isinstance(sampling_size, int) and not isinstance(sampling_size, bool):
        return sampling_size
    return int(rows * sampling_size)


def sample_rows(rows: Sequence[Row], sampling_size: int | float, seed: int = SEED) -> list[Row]:
    """``sampling_size`` rows (an int) or that share of them (a float), chosen reproducibly.

    Taking fewer rows than there are picks without repetition; taking more keeps every row
    once per full round and fills the rest at random, so no row is lost to upsampling.
    """
    want = _sample_count(len(rows), sampling_size)
    if not rows or want <= 0:
        return []
    if want == len(rows) and sampling_size == 1.0:
        return list(rows)
    rng = random.Random(seed)
    rounds, rest = divmod(want, len(rows))
    picked = list(rows) * rounds
    picked.extend(rows[i] for i in sorted(rng.sample(range(len(rows)), rest)))
    return picked


@dataclass(frozen=True)
class MixedDataset:
    """What one data set of a recipe contributed to a mix."""

    path: Path
    available: int
    taken: int


@dataclass(frozen=True)
class MixResult:
    """A written mix: the output file, its rows, and where they came from."""

    recipe: Path | None
    output: Path
    rows: int
    dropped_empty: int
    datasets: tuple[MixedDataset, ...]
    cleaning: MixCleaning | None = None


def mix_recipe(
    recipe: Recipe,
    output: str | Path,
    system_prompt: str | None = None,
    cleaner: MixCleaner | None = None,
) -> MixResult:
    """Loads, samples and concatenates a recipe's data sets into one training JSONL file.

    Columns other than ``id``/``messages``/``metadata``/``unmask`` move into ``metadata``; every
    record gets the system prompt (``system_prompt``, else the recipe's, else it keeps its own);
    records with an empty user or assistant turn are dropped and counted. With a ``cleaner``,
    the data sets taken together lose its duplicates and test-set leaks before sampling (see
    :mod:`instructlab.sdg.mixclean`).

    Raises:
        FileError: a listed data set is missing or unreadable (all are named at once).
    """
    origin = str(recipe.path) if recipe.path else "recipe"
    missing = [d.path for d in recipe.datasets if not recipe.resolve(d).is_file()]
    if missing:
        raise FileError(origin, "data sets not found: " + ", ".join(missing))
    prompt = system_prompt if system_prompt is not None else recipe.sys_prompt
    contributions: list[MixedDataset] = []
    dropped = 0
    cleaned: list[list[Row]] | None = None
    cleaning: MixCleaning | None = None
    if cleaner is not None and cleaner.active:
        loaded = [read_jsonl(recipe.resolve(d)) for d in recipe.datasets]
        cleaned, cleaning = cleaner.clean(loaded)

    def records() -> Iterable[Row]:
        nonlocal dropped
        for index, dataset in enumerate(recipe.datasets):
            file = recipe.resolve(dataset)
            rows = cleaned[index] if cleaned is not None else read_jsonl(file)
            picked = sample_rows(rows, dataset.sampling_size)
            contributions.append(MixedDataset(file, len(rows), len(picked)))
            for row in picked:
                if not isinstance(row.get("messages"), list):
                    raise FileError(str(file), "a row has no `messages` list")
                record = to_training_record(row)
                if prompt:
                    record = with_system_prompt(record, prompt)
                if has_content(record):
                    yield record
                else:
                    dropped += 1

    count = write_jsonl(output, records())
    return MixResult(recipe.path, Path(output), count, dropped, tuple(contributions), cleaning)


# --- default recipes ------------------------------------------------------------------------


def default_recipe_dirs() -> list[Path]:
    """Where default recipes are looked up, first match wins.

    The user's data dir (``$XDG_DATA_HOME/instructlab/sdg/default_data_recipes``), then each of
    ``$XDG_DATA_DIRS`` (default ``/usr/local/share:/usr/share``) with the same suffix.
    """
    system = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    roots = [paths.data_dir()] + [Path(d) / paths.APP for d in system.split(os.pathsep) if d]
    return [root / "sdg" / "default_data_recipes" for root in roots]


def find_recipe(name: str | Path) -> Path:
    """A recipe file: an existing path, else ``NAME`` or ``NAME.yaml`` in the default dirs.

    Raises:
        UsageError: nothing by that name exists (the places searched are named).
    """
    given = Path(name).expanduser()
    if given.is_file():
        return given
    text = str(name)
    if "/" not in text:
        for directory in default_recipe_dirs():
            for candidate in (directory / text, directory / f"{text}.yaml"):
                if candidate.is_file():
                    return candidate
    searched = ", ".join(str(d) for d in default_recipe_dirs())
    raise UsageError(f"recipe {text!r} not found (a file, or a name in: {searched})")


def load_default_recipe(basename: str) -> Recipe | None:
    """A system default recipe (e.g. ``skills.yaml``) with its paths made absolute, if any."""
    for directory in default_recipe_dirs():
        candidate = directory / basename
        if candidate.is_file():
            recipe = Recipe.load(candidate)
            absolute = [
                RecipeDataset(str(recipe.resolve(d).resolve()), d.sampling_size)
                for d in recipe.datasets
            ]
            return Recipe(absolute, recipe.sys_prompt, candidate)
    return None


def mixed_output_name(recipe_path: Path) -> str:
    """``knowledge_recipe_X.yaml`` mixes into ``knowledge_train_msgs_X.jsonl``; others to
    ``<stem>_train_msgs.jsonl``."""
    stem = recipe_path.stem
    head, sep, tail = stem.partition("_recipe")
    if sep and (not tail or tail.startswith("_")):
        return f"{head}_train_msgs{tail}.jsonl"
    return f"{stem}_train_msgs.jsonl"
