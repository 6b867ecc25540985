"""A model server never outlives the ``ilab`` that started it: stopped with SIGTERM or SIGHUP
(how systemd, docker, ``kill`` and a closed terminal stop things), or killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from instructlab.llm.running import free_port
from instructlab.system.jobs import pid_alive

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(p) for p in text.split()]
    return found


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_a_foreground_server_stops_with_ilab(sig: signal.Signals, tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-c", "from instructlab.cli.main import main; main()"]
    argv += ["model", "serve", "--host-port", f"127.0.0.1:{port}", "--max-ctx-size", "512"]
    log = (tmp_path / "ilab.log").open("wb")
    ilab = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        assert _wait(lambda: _answers(port), 120), (tmp_path / "ilab.log").read_text()
        (server,) = _children(ilab.pid)
        ilab.send_signal(sig)
        code = ilab.wait(30)
        if sig != signal.SIGKILL:
            assert code == 0, (tmp_path / "ilab.log").read_text()
        assert _wait(lambda: not pid_alive(server), 15), f"the server {server} outlived ilab"
        assert not _answers(port)
    finally:
        if ilab.poll() is None:
            ilab.kill()
            ilab.wait()
        log.close()
