"""The command-line entry shared by our servers: parse, build the engine, serve until told to stop.

A server started by :func:`instructlab.serve.running_server` gets ``--port-file`` (it writes the
port it bound, so ``--port 0`` works) and ``--parent-pid`` (it exits when that process is gone, so
a killed client never leaves a server behind). The API key comes in the ``ILAB_API_KEY``
environment variable, never on the command line where ``ps`` would show it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from instructlab.errors import InstructLabError
from instructlab.fileio import atomic_write_text
from instructlab.llm.backends import API_KEY_ENV
from instructlab.serve.generation import Engine, EngineError
from instructlab.serve.openai_http import OpenAIServer


def base_parser(description: str) -> argparse.ArgumentParser:
    """The options every one of our servers takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", required=True, help="model file or directory")
    parser.add_argument("--model-id", default=None, help="name reported at /v1/models")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--ctx-size", type=int, default=None, help="tokens per sequence")
    parser.add_argument("--chat-template", default=None, help="Jinja file, or auto")
    parser.add_argument("--port-file", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def _watch_parent(pid: int, server: OpenAIServer) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != pid:
            logging.getLogger(__name__).warning("parent process %d is gone; stopping", pid)
            server.shutdown()
            return


def _write_port(path: Path, port: int) -> None:
    atomic_write_text(path, json.dumps({"port": port, "pid": os.getpid()}))


def run(args: argparse.Namespace, make_engine: Callable[[argparse.Namespace], Engine]) -> int:
    """Builds the engine and serves it; returns the process exit code."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.parent_pid is not None and os.getppid() != args.parent_pid:
        return 1  # the parent died before we even started
    try:
        engine = make_engine(args)
    except (EngineError, InstructLabError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    try:
        server = OpenAIServer((args.host, args.port), engine, os.environ.get(API_KEY_ENV) or None)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        _close(engine)
        return 1

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.parent_pid is not None:
        threading.Thread(target=_watch_parent, args=(args.parent_pid, server), daemon=True).start()
    if args.port_file is not None:
        _write_port(args.port_file, server.port)
    print(
        f"Serving {engine.model_id} at http://{args.host}:{server.port}/v1 (Ctrl-C to stop)",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        _close(engine)
    print("Server stopped.", flush=True)
    return 0


def _close(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if close is not None:
        close()
