"""The options and the run of ``ilab model evaluate --benchmark mmlu|mmlu_branch``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from instructlab.cli._common import NON_NEGATIVE, POSITIVE
from instructlab.cli._progress import progress_bar

#: The benchmarks this module runs.
BENCHMARKS = ("mmlu", "mmlu_branch")


class BatchSize(click.ParamType[Any]):
    """A positive whole number, or ``auto``."""

    name = "INTEGER|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "auto" or (isinstance(value, int) and value >= 1):
            return value
        try:
            number = int(str(value))
        except ValueError:
            self.fail(f"'{value}' is neither a positive whole number nor 'auto'", param, ctx)
        if number < 1:
            self.fail(f"{number} is not a positive whole number", param, ctx)
        return number


_KNOWLEDGE_OPTIONS = [
    click.option(
        "--few-shots",
        type=NON_NEGATIVE,
        show_default=True,
        help="mmlu, mmlu_branch: examples shown before each question [config: evaluate.mmlu].",
    ),
    click.option(
        "--batch-size",
        type=BatchSize(),
        show_default=True,
        help="mmlu, mmlu_branch: questions per forward pass, or auto [config: evaluate.mmlu].",
    ),
    click.option(
        "--tasks-dir",
        type=click.Path(path_type=Path),
        show_default=True,
        help="mmlu_branch: the node_datasets folder of a generation run (or a folder of runs: "
        "its newest) [config: evaluate.mmlu_branch].",
    ),
    click.option("--sdg-path", type=click.Path(path_type=Path), hidden=True),
    click.option(
        "--tasks",
        multiple=True,
        help="mmlu: subjects to run (anatomy or mmlu_anatomy; repeat or separate with commas).",
    ),
    click.option(
        "--mmlu-data",
        type=click.Path(path_type=Path),
        help="mmlu: the MMLU folder (CSV dev/ test/ or lm-eval parquet); default "
        "~/.local/share/instructlab/mmlu, then the Hugging Face caches.",
    ),
    click.option(
        "--skip-server",
        is_flag=True,
        help="mmlu, mmlu_branch: score in this process with transformers (no server).",
    ),
    click.option(
        "--dtype",
        type=click.Choice(["auto", "float32", "bfloat16", "float16"]),
        default="auto",
        show_default=True,
        help="mmlu, mmlu_branch: precision in process (auto: float32 on CPU, bfloat16 on GPU).",
    ),
    click.option(
        "--chat-template",
        help="mmlu, mmlu_branch: put prompts through a chat template: 'auto' (the model's) or "
        "a template file.",
    ),
    click.option("--threads", type=POSITIVE, help="mmlu, mmlu_branch: CPU threads in process."),
]


def options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options only the knowledge benchmarks read (decorators applied to the command)."""
    for option in reversed(_KNOWLEDGE_OPTIONS):
        command = option(command)
    return command


def _tasks(given: tuple[str, ...]) -> list[str] | None:
    names = [n.strip() for item in given for n in item.split(",") if n.strip()]
    return names or None


def run(ctx: click.Context, benchmark: str, model: str | None, given: dict[str, Any]) -> None:
    """Runs one knowledge benchmark with the options given (by their parameter names)."""
    from instructlab.cli._common import warn
    from instructlab.cli.model._sdk import sdk
    from instructlab.errors import UsageError
    from instructlab.eval.report import branch_report, knowledge_report, to_json

    if given.get("detached"):
        raise UsageError(
            "detached: the knowledge benchmarks run in the foreground (-dt is for mt_bench, "
            "mt_bench_branch and dk_bench)",
            "detached",
        )
    for name in ("branch", "base_branch", "temperature"):
        if given.get(name) is not None:
            warn(f"--{name.replace('_', '-')} has no effect on {benchmark} (it scores choices)")
    backend = "transformers" if given.get("skip_server") else given.get("backend")
    chat_template: bool | str = given.get("chat_template") or False
    if chat_template in ("auto", "tokenizer"):
        chat_template = True
    common: dict[str, Any] = {
        "few_shots": given.get("few_shots"),
        "batch_size": given.get("batch_size"),
        "backend": backend,
        "dtype": given.get("dtype") or "auto",
        "gpus": given.get("gpus"),
        "threads": given.get("threads"),
        "endpoint_url": given.get("endpoint_url"),
        "api_key": given.get("api_key"),
        "system_prompt": given.get("system_prompt"),
        "chat_template": chat_template,
        "output_dir": given.get("output_dir"),
        "enable_serving_output": bool(given.get("enable_serving_output")),
    }
    as_json = given.get("output_format") == "json"
    with progress_bar(f"Scoring {benchmark}", quiet=as_json) as progress:
        if benchmark == "mmlu":
            result: Any = sdk(ctx).evaluate_mmlu_bench(
                model,
                tasks=_tasks(given.get("tasks") or ()),
                mmlu_data=given.get("mmlu_data"),
                progress=progress,
                **common,
            )
            text = knowledge_report(result)
        else:
            result = sdk(ctx).evaluate_mmlu_branch(
                model,
                base_model=given.get("base_model"),
                tasks_dir=given.get("tasks_dir") or given.get("sdg_path"),
                progress=progress,
                **common,
            )
            text = branch_report(result)
    click.echo(to_json(result) if as_json else text, nl=not as_json)
    if as_json:
        click.echo()
    for file in result.files:
        click.echo(f"Wrote {file}", err=True)
