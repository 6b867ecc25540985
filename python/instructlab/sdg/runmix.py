"""A run's mixing: generated rows to InstructLab's training records, node data sets, recipes,
mixes (:class:`RunMixer`), driven for a whole run by :func:`mix_run`.

The output contract is InstructLab's, so its training and evaluation read what we write:

- a training record is one JSON line ``{"id", "messages", "metadata", "unmask"}``: ``messages``
  a list of ``{"role", "content"}``, ``metadata`` a JSON *string* holding every other column,
  ``unmask`` true for pre-training style samples (knowledge phase 0.7);
- per leaf, ``node_datasets_<suffix>/<leaf>.jsonl`` (skills), ``<leaf>_p07.jsonl`` and
  ``<leaf>_p10.jsonl`` (knowledge), and for MMLU-branch ``mmlubench_<leaf>.jsonl`` with its
  ``<leaf>_task.yaml``;
- a recipe is YAML ``{"datasets": [{"path", "sampling_size"}], "metadata": {"sys_prompt"}}``,
  paths relative to the recipe file; an int ``sampling_size`` is a row count, a float a ratio;
- ``knowledge_recipe_<suffix>.yaml`` / ``skills_recipe_<suffix>.yaml`` and their mixes
  ``knowledge_train_msgs_<suffix>.jsonl`` / ``skills_train_msgs_<suffix>.jsonl``, starting from
  the default recipes a system ships in ``$XDG_DATA_DIRS/instructlab/sdg/default_data_recipes``;
- the test set ``test_<suffix>.jsonl`` and the legacy ``train_`` / ``messages_<suffix>.jsonl``.

By default each training set (each mix, and the legacy files) loses exact duplicates and rows
whose question or answer overlaps the test set (:mod:`instructlab.sdg.mixclean`); what went and
why is in :attr:`MixOutputs.cleaning`.

Knowledge records come from :mod:`instructlab.sdg.knowledge`, MMLU-branch data from
:mod:`instructlab.sdg.mmlu_branch`. Everything random (sampling, distractor documents, auxiliary
instructions) draws from seeded generators and ids are derived from content, so the same inputs
always give the same files.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from instructlab.config.model import DEFAULT_SYSTEM_PROMPT
from instructlab.fileio import atomic_write_text, write_jsonl
from instructlab.sdg.knowledge import knowledge_phase07, knowledge_phase10
from instructlab.sdg.mixclean import MixCleaner, MixCleaning, references_of_test_set
from instructlab.sdg.mmlu_branch import mmlu_branch_rows, mmlu_task
from instructlab.sdg.recipes import Recipe, load_default_recipe, mix_recipe, mixed_output_name
from instructlab.sdg.records import question_and_response, record_id, skill_record

if TYPE_CHECKING:
    from instructlab.sdg.plan import LeafJob
    from instructlab.sdg.report import RunReport

__all__ = ["MIN_UPSAMPLE_THRESHOLD", "NUM_SYNTH_SKILLS", "MixOutputs", "RunMixer", "mix_run"]

log = logging.getLogger("instructlab.sdg")

#: Rows each skill leaf contributes to the skills mix (InstructLab's figure).
NUM_SYNTH_SKILLS = 30
#: Knowledge below this share of a precomputed skills mix is upsampled to it.
MIN_UPSAMPLE_THRESHOLD = 0.03

Row = dict[str, Any]


@dataclass(frozen=True)
class MixOutputs:
    """The files a run's mixing wrote."""

    knowledge_recipe: Path
    skills_recipe: Path
    knowledge_mix: Path | None
    skills_mix: Path | None
    node_datasets: tuple[Path, ...]
    legacy_train: Path
    legacy_messages: Path
    rows: int
    #: What cleaning removed, per training set (``knowledge``, ``skills``, ``legacy``; the
    #: legacy files have no ids, so their examples are the questions' first words).
    cleaning: dict[str, MixCleaning] = field(default_factory=dict)

    @property
    def removed(self) -> Counter[str]:
        """Rows removed by cleaning, by reason, over every training set."""
        total: Counter[str] = Counter()
        for cleaning in self.cleaning.values():
            total.update(cleaning.removed)
        return total


class RunMixer:
    """Collects each leaf's generated rows and writes InstructLab's data sets for a run.

    ``suffix`` names this run's files (InstructLab uses the start time, ``2024-10-01T12_00_00``).
    ``dedup`` removes exact duplicates from each training set, ``decontaminate`` rows that
    overlap the test set (see :meth:`write_test_set`); both are on by default.
    """

    def __init__(
        self,
        output_dir: str | Path,
        suffix: str,
        system_prompt: str,
        auxiliary_instructions: Mapping[str, Sequence[str]] | None = None,
        use_default_recipes: bool = True,
        dedup: bool = True,
        decontaminate: bool = True,
    ) -> None:
        self.output_dir = Path(output_dir)
        self.suffix = suffix
        self.system_prompt = system_prompt
        self.auxiliary_instructions = dict(auxiliary_instructions or {})
        knowledge = load_default_recipe("knowledge.yaml") if use_default_recipes else None
        skills = load_default_recipe("skills.yaml") if use_default_recipes else None
        self.knowledge_recipe = Recipe(list(knowledge.datasets) if knowledge else [])
        self.skills_recipe = Recipe(list(skills.datasets) if skills else [])
        self.knowledge_recipe.sys_prompt = system_prompt
        self.skills_recipe.sys_prompt = system_prompt
        self._precomputed_skills = skills.total_rows() if skills else 0
        self._nodes: list[Path] = []
        self._legacy: list[tuple[str, str, str]] = []
        self.dedup = dedup
        self.decontaminate = decontaminate
        self._references: list[str] = []
        self._qa: dict[str, tuple[str, str]] = {}

    @property
    def node_dir(self) -> Path:
        """Where per-leaf data sets go."""
        return self.output_dir / f"node_datasets_{self.suffix}"

    def _write_node(self, name: str, rows: Sequence[Row]) -> str:
        relative = f"node_datasets_{self.suffix}/{name}"
        write_jsonl(self.output_dir / relative, rows)
        self._nodes.append(self.output_dir / relative)
        return relative

    def _remember_legacy(self, rows: Sequence[Row], knowledge: bool) -> None:
        for row in rows:
            question, response = question_and_response(row)
            context = str(row.get("context") or "").strip()
            if knowledge and not context:
                context = str(row.get("document") or "").strip()
            user = f"{question}\n{context}" if knowledge and context else question
            if question and response:
                self._legacy.append((user, response, question))

    def _remember_questions(self, rows: Sequence[Row], records: Sequence[Row]) -> None:
        """Each knowledge record's question and answer (its user turn holds documents too);
        auxiliary records (a document rewritten) have none to compare."""
        for row in rows:
            document = str(row.get("document") or "").strip()
            question, response = question_and_response(row)
            inline = record_id("knowledge", False, document, question, response)
            separate = record_id("knowledge", True, document, question, response)
            for known in (inline, record_id("raft", separate)):
                self._qa[known] = (question, response)
        for record in records:
            self._qa.setdefault(str(record["id"]), ("", ""))

    def add_skill(self, leaf_node_path: str, rows: Sequence[Row]) -> int:
        """A skill leaf's rows: its node data set, sampled ``NUM_SYNTH_SKILLS`` into skills."""
        records = [r for r in (skill_record(row, self.system_prompt) for row in rows) if r]
        relative = self._write_node(f"{leaf_node_path}.jsonl", records)
        self.skills_recipe.add(relative, NUM_SYNTH_SKILLS)
        self._remember_legacy(rows, knowledge=False)
        return len(records)

    def add_knowledge(self, leaf_node_path: str, rows: Sequence[Row]) -> int:
        """A knowledge leaf's rows: phase 0.7 into the knowledge recipe, 1.0 into skills."""
        usable = [r for r in rows if str(r.get("document") or "").strip()]
        p07 = knowledge_phase07(usable, self.auxiliary_instructions)
        p10 = knowledge_phase10(usable, self.auxiliary_instructions)
        self.knowledge_recipe.add(self._write_node(f"{leaf_node_path}_p07.jsonl", p07), 1.0)
        size: int | float = 1.0
        share = len(p10) / self._precomputed_skills if self._precomputed_skills else 1.0
        if p10 and share < MIN_UPSAMPLE_THRESHOLD:
            size = int(self._precomputed_skills * MIN_UPSAMPLE_THRESHOLD)
        self.skills_recipe.add(self._write_node(f"{leaf_node_path}_p10.jsonl", p10), size)
        self._remember_legacy(usable, knowledge=True)
        self._remember_questions(usable, [*p07, *p10])
        return len(p07)

    def add_mmlu_branch(self, leaf_node_path: str, rows: Sequence[Row]) -> int:
        """A knowledge leaf's multiple-choice rows and the lm-eval task that scores them."""
        mcq = mmlu_branch_rows(rows)
        relative = self._write_node(f"mmlubench_{leaf_node_path}.jsonl", mcq)
        task = mmlu_task(leaf_node_path, self.output_dir / relative)
        task_file = self.node_dir / f"{leaf_node_path}_task.yaml"
        atomic_write_text(task_file, yaml.safe_dump(task, sort_keys=False))
        return len(mcq)

    def write_test_set(
        self, test_records: Sequence[Row], references: Sequence[str] | None = None
    ) -> Path:
        """Writes ``test_<suffix>.jsonl`` (see :func:`instructlab.sdg.seeds.seed_test_set`).

        Training rows are decontaminated against ``references``: the test set's question and
        answer texts without any context passage (see
        :func:`instructlab.sdg.seeds.seed_test_texts`); by default the records' user and
        assistant texts, context included.
        """
        target = self.output_dir / f"test_{self.suffix}.jsonl"
        write_jsonl(target, test_records)
        if references is None:
            references = references_of_test_set(test_records)
        self._references = list(references)
        return target

    def _cleaner(self) -> MixCleaner:
        references = self._references if self.decontaminate else []
        return MixCleaner(self.dedup, references, self._qa)

    def _clean_legacy(self, cleaner: MixCleaner) -> MixCleaning:
        cleaning = MixCleaning()
        pairs = [(u, a) for u, a, _ in self._legacy]
        questions = [(q, a) for _, a, q in self._legacy]
        labels = [" ".join(q.split())[:60] for _, _, q in self._legacy]
        keep = cleaner.keep(pairs, questions, labels, cleaning)
        self._legacy = [entry for entry, k in zip(self._legacy, keep, strict=True) if k]
        return cleaning

    def finish(self, mix: bool = True) -> MixOutputs:
        """Writes the recipes, the legacy files and (``mix``) the two mixed training sets."""
        knowledge_recipe = self.knowledge_recipe.save(
            self.output_dir / f"knowledge_recipe_{self.suffix}.yaml"
        )
        skills_recipe = self.skills_recipe.save(
            self.output_dir / f"skills_recipe_{self.suffix}.yaml"
        )
        rows = 0
        mixes: list[Path | None] = []
        cleaner = self._cleaner()
        cleanings: dict[str, MixCleaning] = {}
        for name, recipe, path in (("knowledge", self.knowledge_recipe, knowledge_recipe),
                                   ("skills", self.skills_recipe, skills_recipe)):  # fmt: skip
            if mix and recipe.datasets:
                result = mix_recipe(
                    recipe, self.output_dir / mixed_output_name(path), cleaner=cleaner
                )
                rows += result.rows
                mixes.append(result.output)
                if result.cleaning is not None:
                    cleanings[name] = result.cleaning
            else:
                mixes.append(None)
        if cleaner.active:
            cleanings["legacy"] = self._clean_legacy(cleaner)
        train = self.output_dir / f"train_{self.suffix}.jsonl"
        messages = self.output_dir / f"messages_{self.suffix}.jsonl"
        write_jsonl(
            train,
            ({"system": self.system_prompt, "user": u, "assistant": a} for u, a, _ in self._legacy),
        )
        write_jsonl(
            messages,
            (
                {
                    "messages": [
                        {"content": u, "role": "user"},
                        {"content": a, "role": "assistant"},
                    ],
                    "metadata": json.dumps({"system": self.system_prompt}),
                }
                for u, a, _ in self._legacy
            ),
        )
        return MixOutputs(
            knowledge_recipe,
            skills_recipe,
            mixes[0],
            mixes[1],
            tuple(self._nodes),
            train,
            messages,
            rows,
            cleanings,
        )


def mix_run(
    jobs: Sequence[LeafJob],
    rows: Mapping[str, list[Row]],
    seed_rows: Iterable[Row],
    output: Path,
    suffix: str,
    system_prompt: str | None,
    report: RunReport,
) -> MixOutputs:
    """Mixes a run: each leaf's generated ``rows`` (by its name in the run) into its node data
    sets and the recipes, the test set from every ``seed_rows``, and the two mixes. A
    multiple-choice leaf whose rows mixing cannot use is said in ``report``."""
    from instructlab.sdg import seeds as seeding

    aux: dict[str, list[str]] = {}
    for job in jobs:
        for k, v in job.pipeline.auxiliary_inst.items():
            aux.setdefault(k, v)
    mixer = RunMixer(output, suffix, system_prompt or DEFAULT_SYSTEM_PROMPT, aux)
    for job in jobs:
        leaf_rows = rows.get(job.name, [])
        if not leaf_rows:
            continue
        node = str(leaf_rows[0].get("leaf_node_path") or _node_name(job.name))
        if job.kind == "eval":
            kept = mixer.add_mmlu_branch(node, leaf_rows)
            if kept < len(leaf_rows):
                _unusable_questions(report, job.name, len(leaf_rows) - kept, len(leaf_rows), kept)
        elif job.kind == "knowledge":
            mixer.add_knowledge(node, leaf_rows)
        else:
            mixer.add_skill(node, leaf_rows)
    all_seeds = list(seed_rows)
    mixer.write_test_set(
        seeding.seed_test_set(all_seeds, system_prompt), seeding.seed_test_texts(all_seeds)
    )
    return mixer.finish(mix=True)


def _unusable_questions(report: RunReport, leaf: str, dropped: int, total: int, kept: int) -> None:
    """Multiple-choice rows that mixing could not use are said, never lost in silence; a leaf
    left with none fails like a leaf that generated nothing."""
    reason = (
        f"{dropped} of {total} multiple-choice rows lack four options A) to D) or an answer "
        "like 'B) ...', and are left out of the MMLU-branch data"
    )
    log.warning("leaf %s: %s", leaf, reason)
    for entry in report.leaves:
        if entry.leaf == leaf and kept == 0:
            entry.error = reason


def _node_name(name: str) -> str:
    return name.split("#", 1)[0].strip("/").replace("/", "->")
