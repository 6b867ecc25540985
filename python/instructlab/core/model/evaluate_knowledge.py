"""`Model.evaluate_mmlu_bench|evaluate_mmlu_branch`: the knowledge benchmarks, scored by
log-likelihood on our own harness (:mod:`instructlab.eval`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from instructlab.core._checked import NonNegative, Positive, checked
from instructlab.core.model._base import ModelBase
from instructlab.errors import UsageError

if TYPE_CHECKING:
    from instructlab.eval.backends import ScorerOptions
    from instructlab.eval.harness import PromptOptions
    from instructlab.eval.results import BranchResult, KnowledgeResult

R = TypeVar("R", "KnowledgeResult", "BranchResult")
Backend = Literal["transformers", "vllm", "llama-cpp"]
Dtype = Literal["auto", "float32", "bfloat16", "float16"]


class EvaluatingKnowledge(ModelBase):
    """Scoring a model on the knowledge benchmarks (log-likelihood multiple choice)."""

    def _knowledge_options(
        self,
        *,
        few_shots: int | None,
        batch_size: int | str | None,
        backend: str | None,
        dtype: str,
        gpus: int | None,
        threads: int | None,
        endpoint_url: str | None,
        api_key: str | None,
        system_prompt: str | None,
        chat_template: bool | str,
        enable_serving_output: bool,
    ) -> tuple[PromptOptions, ScorerOptions]:
        from instructlab.eval.backends import ScorerOptions
        from instructlab.eval.harness import PromptOptions

        evaluate = self.configuration.evaluate
        if endpoint_url is not None:
            from instructlab.llm.url import check_url

            try:
                endpoint_url = check_url(endpoint_url)
            except UsageError as exc:
                raise UsageError(f"endpoint_url: {exc.message}", param="endpoint_url") from None
        size = batch_size if batch_size is not None else evaluate.mmlu.batch_size
        prompts = PromptOptions(
            few_shots=few_shots if few_shots is not None else evaluate.mmlu.few_shots,
            system_prompt=system_prompt if system_prompt is not None else evaluate.system_prompt,
            chat_template=chat_template,
        )
        scorer = ScorerOptions(
            backend=backend,
            dtype=dtype,
            batch_size=None if size == "auto" else int(size),
            gpus=gpus if gpus is not None else evaluate.gpus,
            threads=threads,
            endpoint_url=endpoint_url,
            api_key=api_key,
            enable_serving_output=enable_serving_output,
        )
        return prompts, scorer

    @checked
    def evaluate_mmlu_bench(
        self,
        model: str | Path | None = None,
        *,
        tasks: list[str] | None = None,
        mmlu_data: str | Path | None = None,
        few_shots: NonNegative | None = None,
        batch_size: Positive | Literal["auto"] | None = None,
        backend: Backend | None = None,
        dtype: Dtype = "auto",
        gpus: NonNegative | None = None,
        threads: Positive | None = None,
        endpoint_url: str | None = None,
        api_key: str | None = None,
        system_prompt: str | None = None,
        chat_template: bool | str = False,
        output_dir: str | Path | None = None,
        write_files: bool = True,
        enable_serving_output: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> KnowledgeResult:
        """MMLU: accuracy per subject and overall (InstructLab's unweighted subject mean).

        ``model`` is a model folder (scored in this process with transformers, or vLLM with
        ``backend="vllm"``), a GGUF file (served by our llama.cpp server and scored through its
        prompt log-probabilities), or with ``endpoint_url`` the id a running server knows it by.
        MMLU comes from ``mmlu_data`` (the CSV or lm-eval parquet layout), else
        ``<data dir>/mmlu``, else the Hugging Face caches; ``tasks`` picks subjects
        (``anatomy`` or ``mmlu_anatomy``). Unset options come from the ``evaluate`` section.
        With ``write_files`` the JSON report (every question's log-likelihoods) and a PNG chart
        go to ``output_dir`` (default ``<internal>/eval_data/mmlu``).
        """
        from instructlab.config import paths
        from instructlab.eval.mmlu import evaluate_mmlu
        from instructlab.eval.report import write_files as write

        chosen = self._model_under_test(model)
        prompts, scorer = self._knowledge_options(
            few_shots=few_shots,
            batch_size=batch_size,
            backend=backend,
            dtype=dtype,
            gpus=gpus,
            threads=threads,
            endpoint_url=endpoint_url,
            api_key=api_key,
            system_prompt=system_prompt,
            chat_template=chat_template,
            enable_serving_output=enable_serving_output,
        )
        result = evaluate_mmlu(
            chosen,
            data_dir=mmlu_data,
            tasks=tasks,
            prompts=prompts,
            scorer=scorer,
            progress=progress,
        )
        if not write_files:
            return result
        folder = output_dir or paths.internal_dir() / "eval_data" / "mmlu"
        files = write(result, folder)
        return _with_files(result, files)

    @checked
    def evaluate_mmlu_branch(
        self,
        model: str | Path | None = None,
        *,
        base_model: str | Path | None = None,
        tasks_dir: str | Path | None = None,
        few_shots: NonNegative | None = None,
        batch_size: Positive | Literal["auto"] | None = None,
        backend: Backend | None = None,
        dtype: Dtype = "auto",
        gpus: NonNegative | None = None,
        threads: Positive | None = None,
        endpoint_url: str | None = None,
        api_key: str | None = None,
        system_prompt: str | None = None,
        chat_template: bool | str = False,
        output_dir: str | Path | None = None,
        write_files: bool = True,
        enable_serving_output: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> BranchResult:
        """MMLU on the taxonomy branch's knowledge: the trained model against its base.

        The sets are the ones ``Data.generate_data`` writes for knowledge leaves
        (``node_datasets_*/mmlubench_<leaf>.jsonl`` and ``<leaf>_task.yaml``) under ``tasks_dir``
        (default ``evaluate.mmlu_branch.tasks_dir``: its newest run). The base is ``base_model``,
        else the start weights the checkpoint records (``instructlab_checkpoint.json``), else
        ``evaluate.base_model``; both are scored by the same backend in the same precision.
        Each leaf is an improvement, a regression or no change.
        """
        from instructlab.config import paths
        from instructlab.eval.mmlu_branch import evaluate_mmlu_branch
        from instructlab.eval.report import write_files as write

        chosen = self._model_under_test(model)
        evaluate = self.configuration.evaluate
        prompts, scorer = self._knowledge_options(
            few_shots=few_shots,
            batch_size=batch_size,
            backend=backend,
            dtype=dtype,
            gpus=gpus,
            threads=threads,
            endpoint_url=endpoint_url,
            api_key=api_key,
            system_prompt=system_prompt,
            chat_template=chat_template,
            enable_serving_output=enable_serving_output,
        )
        result = evaluate_mmlu_branch(
            chosen,
            tasks_dir if tasks_dir is not None else evaluate.mmlu_branch.tasks_dir,
            base_model=base_model,
            fallback_base_model=evaluate.base_model or None,
            prompts=prompts,
            scorer=scorer,
            progress=progress,
        )
        if not write_files:
            return result
        folder = output_dir or paths.internal_dir() / "eval_data" / "mmlu_branch"
        files = write(result, folder)
        return _with_files(result, files)


def _with_files(result: R, files: list[Path]) -> R:
    from dataclasses import replace

    return replace(result, files=tuple(str(f) for f in files))
