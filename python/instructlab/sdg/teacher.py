"""From configuration and options to a run: the teacher (given or embedded), scale, pipeline."""

from __future__ import annotations

import contextlib
import os
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.sdg.errors import GenerateException

if TYPE_CHECKING:
    from instructlab.config import Config
    from instructlab.sdg.generate import GenerateResult

__all__ = ["EMBEDDED_SCALE", "REMOTE_SCALE", "generate_from_config", "ssl_context", "teacher"]

#: Samples per seed example with the embedded SmolLM2 teacher (small, so a run takes minutes).
EMBEDDED_SCALE = 2
#: Samples per seed example with any other teacher (InstructLab's default).
REMOTE_SCALE = 30


def ssl_context(
    insecure: bool = False,
    cert: str | Path | None = None,
    key: str | Path | None = None,
    password: str | None = None,
) -> ssl.SSLContext | None:
    """A TLS context for the teacher's endpoint (None: the defaults)."""
    if not insecure and cert is None:
        return None
    ctx = ssl.create_default_context()
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert is not None:
        try:
            ctx.load_cert_chain(str(cert), str(key) if key else None, password)
        except (OSError, ssl.SSLError) as exc:
            raise GenerateException(
                f"{cert}: cannot load the TLS client certificate: {exc}"
            ) from None
    return ctx


@contextlib.contextmanager
def teacher(
    endpoint: str | None, model: str, ctx_size: int | None
) -> Iterator[tuple[str, str | None]]:
    """``(base_url, model_id)`` of the teacher: the endpoint given, or the embedded teacher (or
    ``model``) served on loopback for the duration."""
    if endpoint is not None:
        yield endpoint, None
        return
    try:
        from instructlab.serve import running_server
    except ImportError:
        raise GenerateException(
            "no --endpoint-url given, and this build cannot start a teacher; "
            "start one and pass --endpoint-url"
        ) from None
    with running_server(model, ctx_size=ctx_size) as server:
        yield server.base_url, server.model_id


def generate_from_config(config: Config, **o: Any) -> GenerateResult:
    """``Data.generate_data``: options over the ``generate`` section of the configuration."""
    from instructlab.config import EMBEDDED_MODEL
    from instructlab.sdg.client import LLMClient
    from instructlab.sdg.generate import GenerationIncomplete, generate_for_leaves

    gen = config.generate
    model = str(o["teacher_model"] or gen.model)
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
    leaves = _leaves(taxonomy_path, base)
    options: dict[str, Any] = {
        "output_dir": Path(o["output_dir"] or gen.output_dir),
        "pipeline": pipeline,
        "model_family": o["model_family"],
        "num_instructions_to_generate": scale,
        "max_concurrency": o["num_cpus"] or gen.num_cpus,
        "max_num_tokens": o["max_num_tokens"] or gen.max_num_tokens,
        "chunk_word_count": o["chunk_word_count"] or gen.chunk_word_count,
        "server_ctx_size": ctx_size,
        "system_prompt": gen.system_prompt,
        "new_run": o["new_run"],
        "console": o["console"],
    }
    if o["dry_run"]:
        return generate_for_leaves(leaves, None, dry_run=True, model_id=model, **options)
    tls = ssl_context(
        o["tls_insecure"], o["tls_client_cert"], o["tls_client_key"], o["tls_client_passwd"]
    )
    with teacher(endpoint, model, ctx_size) as (url, served_id):
        model_id = o["teacher_model_id"] or served_id
        if model_id is None and endpoint is not None and model != EMBEDDED_MODEL:
            model_id = model
        client = LLMClient(
            url, api_key=o["api_key"], ssl_context=tls, max_concurrency=options["max_concurrency"]
        )
        result = generate_for_leaves(leaves, client, model_id=model_id, **options)
    if not result.ok:
        raise GenerationIncomplete(result)
    return result


def _leaves(taxonomy_path: Path, base: str) -> list[Any]:
    from instructlab.taxonomy import leaves_or_raise, validate_taxonomy

    leaves: list[Any] = leaves_or_raise(validate_taxonomy(taxonomy_path.expanduser(), base))
    if not leaves:
        raise GenerateException(
            f"{taxonomy_path}: no changed leaves against {base!r} (nothing to generate); "
            "use --taxonomy-base empty to generate for every leaf"
        )
    return leaves


#: Options a background run receives through its environment, never its command line.
_SECRET_OPTIONS = ("api_key", "tls_client_passwd")


def launch_detached(config_path: str | Path | None, **options: Any) -> Any:
    """Starts ``ilab data generate`` with these options in the background, tracked by
    ``ilab process``; returns its process record."""
    import sys

    from instructlab.serve import processes

    argv = [sys.executable, "-c", "from instructlab.cli.main import main; main()"]
    if config_path is not None:
        argv += ["--config", str(config_path)]
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
    return processes.launch(argv, "data-generate", env=env)
