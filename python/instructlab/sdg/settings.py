"""From the options and the configuration to a run's settings: one value for each.

:func:`resolve` reads a :class:`~instructlab.sdg.options.GenerateOptions` field by field over
the ``generate`` section of the configuration (an option given wins, then the configuration,
then the built-in default) into :class:`RunSettings`, which the run reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.fileio import check_dir
from instructlab.sdg.errors import GenerateUsageError

if TYPE_CHECKING:
    from instructlab.config import Config
    from instructlab.config.model import ModelEntry, Serve
    from instructlab.sdg.options import GenerateOptions

__all__ = ["EMBEDDED_SCALE", "REMOTE_SCALE", "RunSettings", "concurrency_cap", "resolve"]

#: Samples per seed example with the embedded SmolLM2 teacher (small, so a run takes minutes).
EMBEDDED_SCALE = 2
#: Samples per seed example with any other teacher (InstructLab's default).
REMOTE_SCALE = 30


@dataclass(frozen=True)
class RunSettings:
    """Everything a run reads, each resolved to one value."""

    taxonomy_path: Path
    taxonomy_base: str
    yaml_rules: Path | None
    output_dir: Path
    #: The teacher to serve here, or the model name an endpoint knows.
    model: str
    #: The model name every request carries, when it is not the served one (``None``: the
    #: server says, or ``model`` for an endpoint).
    request_model: str | None
    model_family: str | None
    endpoint_url: str | None
    #: The embedded teacher, started here.
    embedded: bool
    pipeline: str
    scale: int
    max_num_tokens: int
    chunk_word_count: int
    server_ctx_size: int | None
    system_prompt: str | None
    #: The cap on requests in flight (``None``: adaptive).
    max_concurrency: int | None
    serve: Serve
    gpus: int | None
    show_serving_log: bool


def concurrency_cap(num_cpus: int | None, batch_size: int | None) -> int | None:
    """The cap on requests in flight from ``--num-cpus`` and ``--batch-size`` (the smaller one).

    InstructLab sends ``batch_size`` prompts to the teacher in one request; this engine sends
    one prompt per request, so a batch size is read as the most prompts the teacher holds from
    us at once: a cap on requests in flight. ``0`` (InstructLab: no batching) sets no cap.
    """
    caps = [c for c in (num_cpus, batch_size or None) if c is not None]
    return min(caps) if caps else None


def _model_entry(config: Config, model_id: str | None) -> ModelEntry | None:
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


def resolve(config: Config, options: GenerateOptions) -> RunSettings:
    """The run's settings: ``options`` over the ``generate`` section of ``config``.

    Raises:
        GenerateUsageError: ``student_model_id`` names no entry of the ``models`` list.
        FileError: the output folder cannot be a folder.
    """
    from instructlab.config import EMBEDDED_MODEL

    gen = config.generate
    model = str(options.model or gen.model)
    family = options.model_family
    request_model = options.teacher_model_id
    entry = _model_entry(config, request_model)
    if entry is not None:
        # An id from the `models` list: its path is the teacher (a file or directory to serve,
        # or the model name an endpoint knows), its family the prompt family.
        model, request_model = entry.path, None
        family = family or entry.family or None
    embedded = options.endpoint_url is None and model == EMBEDDED_MODEL
    system_prompt = gen.system_prompt
    if options.student_model_id:
        student = _model_entry(config, options.student_model_id)
        if student is None:
            message = _unknown_model_id(config, options.student_model_id, "student_model_id")
            raise GenerateUsageError(message, "student_model_id")
        system_prompt = student.system_prompt or system_prompt
    yaml_rules = options.yaml_rules
    return RunSettings(
        taxonomy_path=Path(options.taxonomy_path or gen.taxonomy_path).expanduser(),
        taxonomy_base=options.taxonomy_base or gen.taxonomy_base,
        yaml_rules=Path(yaml_rules).expanduser() if yaml_rules else None,
        output_dir=check_dir(
            Path(options.output_dir or gen.output_dir).expanduser(), "data folder"
        ),
        model=model,
        request_model=request_model,
        model_family=family,
        endpoint_url=options.endpoint_url,
        embedded=embedded,
        pipeline=options.pipeline or gen.pipeline or ("simple" if embedded else "full"),
        scale=(
            options.sdg_scale_factor
            or gen.sdg_scale_factor
            or (EMBEDDED_SCALE if embedded else REMOTE_SCALE)
        ),
        max_num_tokens=options.max_num_tokens or gen.max_num_tokens,
        chunk_word_count=options.chunk_word_count or gen.chunk_word_count,
        server_ctx_size=options.server_ctx_size or gen.teacher.llama_cpp.max_ctx_size,
        system_prompt=system_prompt,
        max_concurrency=concurrency_cap(options.num_cpus or gen.num_cpus, options.batch_size),
        serve=gen.teacher,
        gpus=options.gpus,
        show_serving_log=options.enable_serving_output,
    )
