"""Starting a model server for the length of a ``with`` block.

``running_server`` resolves the model, picks the backend, starts the server as a child process on
a free port, waits until ``/v1/models`` answers, and always stops it (SIGTERM, then SIGKILL), also
when the block raises. If the server dies while starting, the error carries the end of its log.
The child watches its parent, so killing the client never leaves a server behind.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from instructlab.errors import MissingExtra, ServerError
from instructlab.extras import installed
from instructlab.llm.backends import (
    ServerOptions,
    choose_backend,
    server_command,
    server_env,
)
from instructlab.models.resolve import model_id_for, resolve_model_path
from instructlab.system.jobs import children

__all__ = ["RunningServer", "ServerProcess", "running_server", "start_server"]

_LOG_TAIL = 4000


@dataclass(frozen=True)
class ServerProcess:
    """The child process behind a server."""

    pid: int
    command: list[str]
    log_file: Path
    backend: str


@dataclass(frozen=True)
class RunningServer:
    """A server that answers: where, which model, which key, which process."""

    base_url: str
    model_id: str
    api_key: str | None
    process: ServerProcess
    model_path: Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, limit: int = _LOG_TAIL) -> str:
    """The last ``limit`` characters of a log file ('' if unreadable)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


@contextmanager
def shown_log(prefix: str, interval: float = 0.1) -> Iterator[Path]:
    """A temporary log file for a server, copied live to stderr until the block ends.

    For ``--enable-serving-output``: the server writes its log to the yielded path (its
    ``log_file``); what it appends shows on the terminal as it comes, and the file is removed
    afterwards.
    """
    import sys
    import threading

    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".log")
    os.close(fd)
    path = Path(name)
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

    thread = threading.Thread(target=pump, name="server-log", daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stop.set()
        thread.join(timeout=5)
        path.unlink(missing_ok=True)


def check_backend_installed(backend: str) -> None:
    """:class:`MissingExtra` when the Python package the backend runs on is not installed."""
    needs = {"llama-cpp": ("llama_cpp", "serve"), "transformers": ("transformers", "train")}
    needs["vllm"] = ("vllm", "gpu")
    module, extra = needs[backend]
    if not installed(module):
        raise MissingExtra(f"the {backend} backend", extra, f"Python module '{module}' is missing")


def answers(url: str, api_key: str | None) -> bool:
    request = urllib.request.Request(url)
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_server(
    options: ServerOptions,
    *,
    log_file: Path,
    watch_parent: bool,
) -> tuple[subprocess.Popen[bytes], Path | None]:
    """Starts the server process; returns it and the file where it will write its port."""
    check_backend_installed(options.backend)
    argv = server_command(options)
    port_file: Path | None = None
    if options.backend != "vllm":
        fd, name = tempfile.mkstemp(prefix="ilab-port-", suffix=".json")
        os.close(fd)
        port_file = Path(name)
        port_file.unlink()
        argv += ["--port-file", str(port_file)]
        if watch_parent:
            argv += ["--parent-pid", str(os.getpid())]
    env = server_env(options)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = children.spawn(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
        )
    return process, port_file


def wait_until_ready(
    process: subprocess.Popen[bytes],
    options: ServerOptions,
    port_file: Path | None,
    log_file: Path,
    timeout: float,
) -> int:
    """Waits for the server to answer ``/v1/models``; returns its port."""
    deadline = time.monotonic() + timeout
    port = options.port
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise ServerError(
                f"the {options.backend} server for {options.model_path} exited with code "
                f"{code} while starting; its log ({log_file}) ends with:\n{log_tail(log_file)}"
            )
        if port_file is not None and port == 0 and port_file.exists():
            try:
                port = int(json.loads(port_file.read_text(encoding="utf-8"))["port"])
            except (ValueError, KeyError, OSError):
                port = 0
        if port and answers(
            f"http://{connect_host(options.host)}:{port}/v1/models", options.api_key
        ):
            return port
        time.sleep(0.1)
    raise ServerError(
        f"the {options.backend} server for {options.model_path} did not answer within "
        f"{timeout:.0f} s; its log ({log_file}) ends with:\n{log_tail(log_file)}"
    )


def connect_host(host: str) -> str:
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def url_host(host: str) -> str:
    host = connect_host(host)
    return f"[{host}]" if ":" in host else host


@contextmanager
def running_server(
    model_path: str | Path,
    *,
    backend: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    ctx_size: int | None = None,
    api_key: str | None = None,
    startup_timeout: float = 120.0,
    log_file: Path | None = None,
    chat_template: str | None = None,
    gpu_layers: int = -1,
    parallel: int | None = None,
    threads: int | None = None,
    vllm_args: list[str] | None = None,
    gpus: int | None = None,
) -> Iterator[RunningServer]:
    """Serves ``model_path`` for the length of the ``with`` block.

    ``model_path`` is a GGUF file, a model directory, a name in the models directory, or
    ``embedded://smollm2-135m-instruct`` (:data:`instructlab.config.model.EMBEDDED_MODEL`).
    ``port=0`` picks a free port. The server's output goes to ``log_file`` (a temporary file by
    default, removed afterwards).
    """
    path = resolve_model_path(model_path)
    chosen = choose_backend(path, backend)
    if chosen == "vllm" and port == 0:
        port = free_port(connect_host(host))
    options = ServerOptions(
        model_path=path,
        model_id=model_id_for(model_path, path),
        backend=chosen,
        host=host,
        port=port,
        ctx_size=ctx_size,
        api_key=api_key,
        chat_template=chat_template,
        gpu_layers=gpu_layers,
        parallel=parallel,
        threads=threads,
        vllm_args=list(vllm_args or []),
        gpus=gpus,
    )
    own_log = log_file is None
    if log_file is None:
        fd, name = tempfile.mkstemp(prefix=f"ilab-{chosen}-", suffix=".log")
        os.close(fd)
        log_file = Path(name)
    process, port_file = start_server(options, log_file=log_file, watch_parent=True)
    try:
        bound = wait_until_ready(process, options, port_file, log_file, startup_timeout)
        yield RunningServer(
            base_url=f"http://{url_host(host)}:{bound}/v1",
            model_id=options.model_id,
            api_key=api_key,
            process=ServerProcess(process.pid, list(process.args), log_file, chosen),  # type: ignore[arg-type]
            model_path=path,
        )
    finally:
        children.stop(process)
        if port_file is not None:
            port_file.unlink(missing_ok=True)
        if own_log:
            log_file.unlink(missing_ok=True)
