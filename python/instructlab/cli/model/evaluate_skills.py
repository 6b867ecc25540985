"""The options and the run of ``ilab model evaluate --benchmark mt_bench|mt_bench_branch|
dk_bench``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from instructlab.cli._common import ENDPOINT_URL, POSITIVE, warn

#: The benchmarks this module runs.
BENCHMARKS = ("mt_bench", "mt_bench_branch", "dk_bench")


class MaxWorkers(click.ParamType[int | None]):
    """A count of one or more, or ``auto`` (adaptive)."""

    name = "N|auto"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | None:
        if value is None or (isinstance(value, int) and value >= 1):
            return value
        if str(value).strip().lower() == "auto":
            return None
        try:
            number = int(str(value))
        except ValueError:
            self.fail(f"{value!r} is neither a whole number nor 'auto'", param, ctx)
        if number < 1:
            self.fail(f"{number} is below 1", param, ctx)
        return number


#: Options that are this module's, and the SDK argument each sets.
_MINE = (
    "judge_model",
    "judge_endpoint_url",
    "judge_api_key",
    "judge_backend",
    "endpoint_url",
    "api_key",
    "max_workers",
    "judge_samples",
    "judge_temperature",
    "max_tokens",
    "merge_system_user_message",
    "tls_insecure",
    "tls_client_cert",
    "tls_client_key",
    "tls_client_passwd",
    "new_run",
)
_COMMON = (
    "output_dir",
    "gpus",
    "backend",
    "system_prompt",
    "temperature",
    "enable_serving_output",
    "detached",
)
_PER_BENCHMARK = {
    "mt_bench": ("mt_bench_data",),
    "mt_bench_branch": ("base_model", "branch", "base_branch", "taxonomy_path"),
    "dk_bench": ("input_questions", "output_file_formats"),
}


def options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options only the skills benchmarks read (decorators applied to the command)."""
    path = click.Path(path_type=Path)
    for option in reversed(
        [
            click.option(
                "--judge-model",
                help="Judge: a local model (served here), or its name at --judge-endpoint-url "
                "(default: evaluate.<benchmark>.judge_model, else the embedded model).",
            ),
            click.option(
                "--judge-endpoint-url", type=ENDPOINT_URL, help="OpenAI-compatible judge endpoint."
            ),
            click.option("--judge-api-key", help="API key for the judge endpoint."),
            click.option(
                "--judge-backend",
                type=click.Choice(["llama-cpp", "vllm", "transformers"]),
                help="Serving backend for a judge served here.",
            ),
            click.option(
                "--max-workers",
                type=MaxWorkers(),
                help="Cap on requests in flight, or auto (adaptive; default).",
            ),
            click.option(
                "--judge-samples",
                type=POSITIVE,
                default=1,
                show_default=True,
                help="Judge samples per answer (median; intervals measure the judge's noise).",
            ),
            click.option(
                "--judge-temperature",
                type=click.FloatRange(0, 2),
                help="Judge temperature (default: 0 for one sample, 0.7 for more).",
            ),
            click.option(
                "--max-tokens", type=POSITIVE, help="Longest answer in tokens (default 1024)."
            ),
            click.option(
                "--merge-system-user-message",
                is_flag=True,
                help="Send the judge's system prompt inside the user message (Mistral judges).",
            ),
            click.option(
                "--mt-bench-data",
                type=click.Path(exists=True, file_okay=False, path_type=Path),
                help="MT-Bench data in FastChat's layout (mt_bench/question.jsonl, "
                "judge_prompts.jsonl).",
            ),
            click.option(
                "--taxonomy-path", type=path, help="Taxonomy git repository (mt_bench_branch)."
            ),
            click.option(
                "--input-questions",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="DK-Bench questions: JSON lines of user_input, reference[, response].",
            ),
            click.option("--output-file-formats", help="DK-Bench result files: jsonl,csv."),
            click.option("--tls-insecure", is_flag=True, help="Do not verify endpoints' TLS."),
            click.option("--tls-client-cert", type=path, help="TLS client certificate."),
            click.option("--tls-client-key", type=path, help="TLS client key."),
            click.option("--tls-client-passwd", help="Password of the TLS client key."),
            click.option(
                "--new-run",
                is_flag=True,
                help="Ask and judge afresh (default: reuse the answers of an earlier run).",
            ),
        ]
    ):
        command = option(command)
    return command


@contextlib.contextmanager
def _progress_on_stderr() -> Iterator[None]:
    """The run's progress lines (servers starting, answers and judgments done) on stderr."""
    import logging

    class Echo(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(self.format(record), err=True)

    logger = logging.getLogger("instructlab.eval")
    handler = Echo(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def run(ctx: click.Context, benchmark: str, model: str | None, given: dict[str, Any]) -> None:
    """Runs one skills benchmark with the options given (by their parameter names)."""
    from instructlab.cli.model._sdk import sdk

    wanted = set(_MINE) | set(_COMMON) | set(_PER_BENCHMARK[benchmark])
    others = {n for b, names in _PER_BENCHMARK.items() if b != benchmark for n in names} - wanted
    for name in sorted(others):
        if given.get(name) not in (None, False):
            warn(f"--{name.replace('_', '-')} has no effect on {benchmark}")
    kwargs = {k: v for k, v in given.items() if k in wanted}
    with _progress_on_stderr():
        result = getattr(sdk(ctx), f"evaluate_{benchmark}")(model, **kwargs)
    if kwargs.get("detached"):
        click.echo(f"Started `ilab model evaluate` in the background (process {result.id}).")
        click.echo(f"Log: {result.log_file}")
        click.echo(f"Follow it with `ilab process attach {result.id}`.")
        return
    if given.get("output_format") == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    from instructlab.eval.skills_report import (
        render_dk_bench,
        render_mt_bench,
        render_mt_bench_branch,
    )

    renders: dict[str, Callable[[Any], str]] = {
        "mt_bench": render_mt_bench,
        "mt_bench_branch": render_mt_bench_branch,
        "dk_bench": render_dk_bench,
    }
    render = renders[benchmark]
    click.echo(render(result))
    for name, path in result.files.items():
        if name in ("results", "plot") or name.startswith("judgments"):
            click.echo(f"{name}: {path}")
