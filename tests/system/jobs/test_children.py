"""Children tied to their parent, and SIGTERM/SIGHUP unwinding like Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from instructlab.system.jobs import children, pid_alive


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_spawned_child_dies_with_its_killed_parent() -> None:
    """The parent (a Python process) spawns `sleep`, prints its pid and is SIGKILLed: nothing
    it could do runs, yet the child gets SIGTERM from the kernel."""
    script = textwrap.dedent(
        """
        import sys, time
        from instructlab.system.jobs import children
        child = children.spawn(["sleep", "300"])
        print(child.pid, flush=True)
        time.sleep(300)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert pid_alive(child)
    parent.kill()
    parent.wait()
    parent.stdout.close()
    assert _wait_gone(child), f"child {child} outlived its parent"


def test_an_untied_child_would_outlive_it() -> None:
    """The control for the test above: a plain Popen child stays (so the test can fail)."""
    script = textwrap.dedent(
        """
        import subprocess, time
        child = subprocess.Popen(["sleep", "300"])
        print(child.pid, flush=True)
        time.sleep(300)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    parent.stdout.close()
    try:
        assert not _wait_gone(child, 1.0)
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
