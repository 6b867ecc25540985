"""From configuration and options to a run: the teacher (given or embedded), scale, pipeline."""

from __future__ import annotations

import contextlib
import logging
import os
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.fileio import check_dir
from instructlab.sdg.errors import GenerateException, GenerateUsageError

if TYPE_CHECKING:
    from instructlab.config import Config
    from instructlab.config.model import Serve
    from instructlab.sdg.generate import GenerateResult

__all__ = ["EMBEDDED_SCALE", "REMOTE_SCALE", "generate_from_config", "teacher"]

log = logging.getLogger("instructlab.sdg")

#: Samples per seed example with the embedded SmolLM2 teacher (small, so a run takes minutes).
EMBEDDED_SCALE = 2
#: Samples per seed example with any other teacher (InstructLab's default).
REMOTE_SCALE = 30


@contextlib.contextmanager
def teacher(
    endpoint: str | None,
    model: str,
    ctx_size: int | None,
    *,
    serve: Serve | None = None,
    gpus: int | None = None,
    show_log: bool = False,
) -> Iterator[tuple[str, str | None]]:
    """``(base_url, model_id)`` of the teacher: the endpoint given, or the embedded teacher (or
    ``model``) served on loopback for the duration.

    ``serve`` (``generate.teacher``) picks the backend and its settings; ``gpus`` goes to the vLLM
    backend (tensor parallelism) and has no effect on the others, which a warning says.
    ``show_log`` copies the server's log to stderr as it is written.
    """
    if endpoint is not None:
        for name, given in (("gpus (--gpus)", gpus), ("--enable-serving-output", show_log)):
            if given:
                log.warning(
                    "%s has no effect with an endpoint: the teacher is not started here", name
                )
        yield endpoint, None
        return
    try:
        from instructlab.llm.backends import choose_backend
        from instructlab.llm.running import running_server
        from instructlab.models.resolve import resolve_model_path
    except ImportError:
        raise GenerateException(
            "no --endpoint-url given, and this build cannot start a teacher; "
            "start one and pass --endpoint-url"
        ) from None
    settings: dict[str, Any] = {}
    if serve is not None:
        gpus = gpus if gpus is not None else serve.vllm.gpus
        settings["vllm_args"] = list(serve.vllm.vllm_args)
        settings["gpu_layers"] = serve.llama_cpp.gpu_layers
    backend = choose_backend(resolve_model_path(model), serve.backend if serve else None)
    if backend == "vllm":
        if gpus == 0:
            raise GenerateException(
                f"gpus (--gpus) 0: the teacher {model} is served by vLLM, which needs at least "
                "one GPU; give a number of GPUs, or leave it out to use them all"
            )
        settings["gpus"] = gpus
    elif gpus is not None:
        log.warning(
            "gpus (--gpus) has no effect: the teacher %s is served by the %s backend, which "
            "does not split a model over GPUs (only vLLM does)",
            model,
            backend,
        )
    with contextlib.ExitStack() as stack:
        if show_log:
            fd, name = tempfile.mkstemp(prefix=f"ilab-teacher-{backend}-", suffix=".log")
            os.close(fd)
            settings["log_file"] = Path(name)
            stack.callback(settings["log_file"].unlink, missing_ok=True)
            stack.enter_context(_follow(settings["log_file"]))
        server = stack.enter_context(
            running_server(model, backend=backend, ctx_size=ctx_size, **settings)
        )
        yield server.base_url, server.model_id


@contextlib.contextmanager
def _follow(path: Path, interval: float = 0.1) -> Iterator[None]:
    """Copies what is appended to ``path`` to stderr, live, until the block ends."""
    import sys
    import threading

    stop = threading.Event()

    def pump() -> None:
        with path.open("rb") as handle:
            while True:
                chunk = handle.read(65536)
                if chunk:
                    sys.stderr.write(chunk.decode("utf-8", "replace"))
                    sys.stderr.flush()
                elif stop.is_set():
                    return
                else:
                    stop.wait(interval)

    thread = threading.Thread(target=pump, name="teacher-log", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def generate_from_config(config: Config, **o: Any) -> GenerateResult:
    """``Data.generate_data``: options over the ``generate`` section of the configuration."""
    from instructlab.config import EMBEDDED_MODEL
    from instructlab.sdg.generate import generate_for_leaves

    gen = config.generate
    model = str(o["teacher_model"] or gen.model)
    family = o["model_family"]
    request_model = o["teacher_model_id"]
    entry = _model_entry(config, request_model)
    if entry is not None:
        # An id from the `models` list: its path is the teacher (a file or directory to serve,
        # or the model name an endpoint knows), its family the prompt family.
        model, request_model = entry.path, None
        family = family or entry.family or None
    endpoint = o["endpoint_url"]
    embedded = endpoint is None and model == EMBEDDED_MODEL
    pipeline = o["pipeline"] or gen.pipeline or ("simple" if embedded else "full")
    scale = (
        o["sdg_scale_factor"]
        or gen.sdg_scale_factor
        or (EMBEDDED_SCALE if embedded else REMOTE_SCALE)
    )
    taxonomy_path = Path(o["taxonomy_path"] or gen.taxonomy_path)
    base = o["taxonomy_base"] or gen.taxonomy_base
    ctx_size = o["server_ctx_size"] or gen.teacher.llama_cpp.max_ctx_size
    system_prompt = gen.system_prompt
    student = o.get("student_model_id")
    if student:
        found = _model_entry(config, student)
        if found is None:
            raise GenerateUsageError(
                _unknown_model_id(config, student, "student_model_id"), "student_model_id"
            )
        system_prompt = found.system_prompt or system_prompt
    yaml_rules = o.get("yaml_rules")
    output_dir = check_dir(Path(o["output_dir"] or gen.output_dir).expanduser(), "data folder")
    leaves = _leaves(taxonomy_path, base, Path(yaml_rules).expanduser() if yaml_rules else None)
    options: dict[str, Any] = {
        "output_dir": output_dir,
        "pipeline": pipeline,
        "model_family": family,
        "num_instructions_to_generate": scale,
        "max_concurrency": concurrency_cap(o["num_cpus"] or gen.num_cpus, o.get("batch_size")),
        "max_num_tokens": o["max_num_tokens"] or gen.max_num_tokens,
        "chunk_word_count": o["chunk_word_count"] or gen.chunk_word_count,
        "server_ctx_size": ctx_size,
        "system_prompt": system_prompt,
        "new_run": o["new_run"],
        "console": None if o.get("quiet") else o["console"],
    }
    if o["dry_run"]:
        return generate_for_leaves(leaves, None, dry_run=True, model_id=model, **options)
    from instructlab.llm.tls import ssl_context

    tls = ssl_context(
        o["tls_insecure"], o["tls_client_cert"], o["tls_client_key"], o["tls_client_passwd"]
    )
    serving: dict[str, Any] = {
        "serve": gen.teacher,
        "gpus": o.get("gpus"),
        "show_log": bool(o.get("enable_serving_output")),
    }
    with _quiet_faults() if o.get("quiet") else contextlib.nullcontext():
        return _generate(leaves, endpoint, model, request_model, ctx_size, tls, serving,
                         o["api_key"], options)  # fmt: skip


def _generate(
    leaves: list[Any],
    endpoint: str | None,
    model: str,
    request_model: str | None,
    ctx_size: int | None,
    tls: ssl.SSLContext | None,
    serving: dict[str, Any],
    api_key: str | None,
    options: dict[str, Any],
) -> GenerateResult:
    """The run against the teacher (started here when no endpoint is given)."""
    from instructlab.config import EMBEDDED_MODEL
    from instructlab.llm.client import LLMClient
    from instructlab.sdg.generate import GenerationIncomplete, generate_for_leaves

    with teacher(endpoint, model, ctx_size, **serving) as (url, served_id):
        model_id = request_model or served_id
        if model_id is None and endpoint is not None and model != EMBEDDED_MODEL:
            model_id = model
        client = LLMClient(
            url, api_key=api_key, ssl_context=tls, max_concurrency=options["max_concurrency"]
        )
        result = generate_for_leaves(leaves, client, model_id=model_id, **options)
    if not result.ok:
        raise GenerationIncomplete(result)
    return result


@contextlib.contextmanager
def _quiet_faults() -> Iterator[None]:
    """Per-row fault messages stay out of the log (the report counts them)."""
    faults = logging.getLogger("instructlab.sdg.faults")
    level = faults.level
    faults.setLevel(logging.ERROR)
    try:
        yield
    finally:
        faults.setLevel(level)


def concurrency_cap(num_cpus: int | None, batch_size: int | None) -> int | None:
    """The cap on requests in flight from ``--num-cpus`` and ``--batch-size`` (the smaller one).

    InstructLab sends ``batch_size`` prompts to the teacher in one request; this engine sends
    one prompt per request, so a batch size is read as the most prompts the teacher holds from
    us at once: a cap on requests in flight. ``0`` (InstructLab: no batching) sets no cap.
    """
    caps = [c for c in (num_cpus, batch_size or None) if c is not None]
    return min(caps) if caps else None


def _model_entry(config: Config, model_id: str | None) -> Any:
    """The ``models`` entry with this id, or None."""
    if not model_id:
        return None
    return next((m for m in config.models if m.id == model_id), None)


def _unknown_model_id(config: Config, model_id: str, option: str) -> str:
    known = ", ".join(m.id for m in config.models) or "none"
    return (
        f"{option}: {model_id!r} is no id in the `models` list of the configuration "
        f"(ids there: {known})"
    )


def _leaves(taxonomy_path: Path, base: str, yaml_rules: Path | None = None) -> list[Any]:
    from instructlab.taxonomy import leaves_or_raise, validate_taxonomy

    report = validate_taxonomy(taxonomy_path.expanduser(), base, yaml_rules=yaml_rules)
    leaves: list[Any] = leaves_or_raise(report)
    if not leaves:
        raise GenerateException(
            f"{taxonomy_path}: no changed leaves against {base!r} (nothing to generate); "
            "use --taxonomy-base empty to generate for every leaf"
        )
    return leaves


#: Options a background run receives through its environment, never its command line.
_SECRET_OPTIONS = ("api_key", "tls_client_passwd")


def launch_detached(config: Config | str | Path | None, **options: Any) -> Any:
    """Starts ``ilab data generate`` with these options in the background, tracked by
    ``ilab process``; returns its process record.

    ``config`` is the configuration file to use (None: the default one), or a ``Config``
    object, which is written to a file (mode 0600, beside the process logs) for the run.
    """
    import sys

    from instructlab.system import jobs

    argv = [sys.executable, "-c", "from instructlab.cli.main import main; main()"]
    config_file = _config_file(config)
    if config_file is not None:
        argv += ["--config", str(config_file)]
    argv += ["data", "generate"]
    env = dict(os.environ)
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if name in _SECRET_OPTIONS:
            # Through the environment: a command line is visible to every user (ps) and
            # `ilab process list` shows it.
            env[f"ILAB_DATA_GENERATE_{name.upper()}"] = str(value)
            continue
        if value is True:
            argv.append(flag)
        else:
            argv += [flag, str(value)]
    extra = {"config_file": str(config_file)} if config_file is not None else None
    return jobs.launch(argv, "data-generate", env=env, extra=extra)


def _config_file(config: Config | str | Path | None) -> Path | None:
    """A file holding ``config``: the path given, or a new file for a ``Config`` object."""
    from instructlab.config import Config, render_config

    if not isinstance(config, Config):
        return None if config is None else Path(config).expanduser().resolve()
    from instructlab.system.jobs import logs_dir

    folder = logs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="data-generate-", suffix=".config.yaml", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:  # 0600: it may hold an API key
        handle.write(render_config(config))
    return Path(name)
