"""Children tied to their parent, and SIGTERM/SIGHUP unwinding like Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from instructlab.system.jobs import children, pid_alive, wait_exit


def _parent_of(spawn: str) -> tuple[subprocess.Popen[bytes], int]:
    """A Python parent that starts `sleep 300` with ``spawn`` and prints the child's pid."""
    script = "import subprocess, time\nfrom instructlab.system.jobs import children\n"
    script += f"child = {spawn}\nprint(child.pid, flush=True)\ntime.sleep(300)\n"
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert pid_alive(child)
    return parent, child


def _kill(parent: subprocess.Popen[bytes]) -> None:
    parent.kill()
    parent.wait()
    assert parent.stdout is not None
    parent.stdout.close()


def test_a_spawned_child_dies_with_its_killed_parent() -> None:
    """The parent (a Python process) spawns `sleep` and is SIGKILLed: nothing it could do runs,
    yet the child gets SIGTERM from the kernel."""
    parent, child = _parent_of('children.spawn(["sleep", "300"])')
    _kill(parent)
    assert wait_exit(child, 10), f"child {child} outlived its parent"


def test_an_untied_child_would_outlive_it() -> None:
    """The control for the test above: a plain Popen child stays (so the test can fail)."""
    parent, child = _parent_of('subprocess.Popen(["sleep", "300"])')
    _kill(parent)
    try:
        assert not wait_exit(child, 1.0)
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_detached_job_is_refused_by_spawn() -> None:
    with pytest.raises(ValueError, match="detached"):
        children.spawn(["true"], start_new_session=True)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_unwind_like_ctrl_c(sig: signal.Signals) -> None:
    cleaned = []
    with pytest.raises(children.Terminated) as caught, children.terminate_on_signals():
        try:
            os.kill(os.getpid(), sig)
            time.sleep(5)  # interrupted by the handler
        finally:
            cleaned.append(True)
    assert cleaned == [True]
    assert isinstance(caught.value, KeyboardInterrupt)
    assert caught.value.exit_code == 128 + sig
    assert signal.getsignal(sig) is not children.terminate_on_signals  # handlers restored


STUBBORN = "import signal, time; signal.signal(15, signal.SIG_IGN); print('ready', flush=True); "
STUBBORN += "time.sleep(60)"


def test_stop_escalates_to_sigkill() -> None:
    stubborn = children.spawn([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None
    stubborn.stdout.readline()
    children.stop(stubborn, grace=0.5)
    assert stubborn.returncode == -signal.SIGKILL  # it ignored SIGTERM
    stubborn.stdout.close()
