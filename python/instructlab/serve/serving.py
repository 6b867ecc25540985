"""``ilab model serve``: a server in the foreground, or detached and tracked by ``ilab process``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from instructlab.config.model import Serve
from instructlab.errors import ServerError, UsageError
from instructlab.llm.backends import (
    ServerOptions,
    choose_backend,
    server_command,
    server_env,
)
from instructlab.llm.running import (
    answers,
    check_backend_installed,
    connect_host,
    free_port,
    log_tail,
    url_host,
)
from instructlab.models.chat_template import load_template
from instructlab.models.resolve import model_id_for, resolve_model_path
from instructlab.system import jobs
from instructlab.system.jobs import children

__all__ = [
    "DetachedServer",
    "options_from_config",
    "parse_host_port",
    "serve_detached",
    "serve_foreground",
]


def parse_host_port(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8000`` for IPv6) as a pair; a clear error otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(
            f"host_port: {value!r} must look like 127.0.0.1:8000 (a port up to 65535)", "host_port"
        )
    return host.strip("[]") or "127.0.0.1", int(port)


def options_from_config(
    config: Serve,
    *,
    model_path: str | Path | None = None,
    backend: str | None = None,
    host_port: str | None = None,
    chat_template: str | None = None,
    gpu_layers: int | None = None,
    max_ctx_size: int | None = None,
    api_key: str | None = None,
    gpus: int | None = None,
    vllm_args: list[str] | None = None,
) -> ServerOptions:
    """The server's settings: the config's ``serve`` section with the given overrides."""
    model = model_path if model_path is not None else config.model_path
    path = resolve_model_path(model)
    chosen = choose_backend(path, backend or config.backend)
    host, port = parse_host_port(host_port or config.host_port)
    template = chat_template or config.chat_template
    if template:
        load_template(template, None)  # a missing or unreadable file is said here, not by a child
    return ServerOptions(
        model_path=path,
        model_id=model_id_for(model, path),
        backend=chosen,
        host=host,
        port=port,
        ctx_size=max_ctx_size or config.llama_cpp.max_ctx_size,
        api_key=api_key if api_key is not None else config.api_key,
        chat_template=template,
        gpu_layers=config.llama_cpp.gpu_layers if gpu_layers is None else gpu_layers,
        vllm_args=list(config.vllm.vllm_args if vllm_args is None else vllm_args),
        gpus=gpus if gpus is not None else config.vllm.gpus,
    )


def serve_foreground(options: ServerOptions) -> int:
    """Runs the server attached to this terminal until it exits or Ctrl-C; returns its exit code."""
    check_backend_installed(options.backend)
    process = children.spawn(server_command(options), env=server_env(options))
    try:
        return process.wait()
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM/SIGHUP (children.Terminated): stop it too
        children.stop(process)
        return 0


@dataclass(frozen=True)
class DetachedServer:
    """A server running in the background."""

    process_id: str
    pid: int
    base_url: str
    model_id: str
    log_file: Path


def serve_detached(options: ServerOptions, startup_timeout: float = 120.0) -> DetachedServer:
    """Starts the server in the background, tracked by ``ilab process``, and waits until it
    answers (if it dies or never answers, it is stopped and its log is in the error)."""
    check_backend_installed(options.backend)
    if options.port == 0:
        options.port = free_port(connect_host(options.host))
    base_url = f"http://{url_host(options.host)}:{options.port}/v1"
    record = jobs.launch(
        server_command(options),
        "serve",
        env=server_env(options),
        extra={"base_url": base_url, "model": options.model_id, "backend": options.backend},
    )
    log_file = Path(record.log_file)
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if jobs.get(record.id).state != "running":
            jobs.stop(record.id)
            raise ServerError(
                f"the {options.backend} server for {options.model_path} exited while starting; "
                f"its log ({log_file}) ends with:\n{log_tail(log_file)}"
            )
        if answers(base_url + "/models", options.api_key):
            return DetachedServer(record.id, record.pid, base_url, options.model_id, log_file)
        time.sleep(0.2)
    jobs.stop(record.id)
    raise ServerError(
        f"the {options.backend} server for {options.model_path} did not answer within "
        f"{startup_timeout:.0f} s; its log ({log_file}) ends with:\n{log_tail(log_file)}"
    )
