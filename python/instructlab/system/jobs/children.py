"""Child processes that never outlive the command that started them.

A model server left behind holds its port and memory long after ``ilab`` is gone, so every child
that is not a detached job is tied to its parent twice over:

- on Linux the kernel sends the child SIGTERM the moment its parent dies, however it dies
  (``prctl(PR_SET_PDEATHSIG)``, set between fork and exec, so it holds for any program: our
  servers, vLLM, git); the child checks right after that its parent did not die before the call;
- in the parent, SIGTERM and SIGHUP (how systemd, docker, ``kill`` and a closed terminal stop a
  process) raise :class:`Terminated`, so the ``finally`` blocks and context managers that stop
  children run, as they do on Ctrl-C (see :func:`terminate_on_signals`).

The death signal fires when the *thread* that started the child ends, not only the process: start
long-lived children from a thread that lives as long as they should (the main thread, in ilab).
Detached jobs (``-dt``) are meant to outlive the command; the supervisor starts them in a session
of their own, and ties each job to the supervisor instead.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

__all__ = ["Terminated", "spawn", "stop", "stopped_by", "terminate_on_signals", "tie_to_parent"]

_PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Any:
    """libc's ``prctl``, looked up in the parent (between fork and exec the child should only
    call it), on first use (ctypes costs start-up time every command would pay)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def tie_to_parent(parent: int | None = None, sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A ``preexec_fn`` that makes the child receive ``sig`` when this process dies.

    ``parent`` is this process's pid, read before the fork: if the parent is already gone by the
    time the child sets the signal, the child exits at once.
    """
    expected = os.getpid() if parent is None else parent
    prctl = _prctl()

    def preexec() -> None:
        if prctl is None:
            return
        prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != expected:
            os._exit(1)

    return preexec


def spawn(argv: Sequence[str], **popen: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, **popen)`` with the child tied to this process (it gets SIGTERM
    when we die). Not for detached jobs: those go through :func:`instructlab.system.jobs.launch`."""
    if popen.get("start_new_session"):
        raise ValueError("a child in a session of its own is a detached job: use jobs.launch")
    return subprocess.Popen(list(argv), preexec_fn=tie_to_parent(), **popen)


def stop(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; always reaps the child."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: unwind as on Ctrl-C (children stopped, state saved), then exit
    with ``128 + signal``. A subclass of KeyboardInterrupt, so every place that already cleans up
    after Ctrl-C does the same here."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process ended by a signal."""
        return 128 + self.signum


#: The signal that asked this process to stop, once one did (see :func:`stopped_by`).
_received: list[int] = []


def stopped_by() -> int | None:
    """The SIGTERM or SIGHUP that is stopping this process, if one is: a KeyboardInterrupt
    that reaches the error boundary then means that signal, not Ctrl-C."""
    return _received[0] if _received else None


@contextlib.contextmanager
def terminate_on_signals(
    signals: Sequence[int] = (signal.SIGTERM, signal.SIGHUP),
) -> Iterator[None]:
    """While the block runs (in the main thread), the given signals stop the process the way
    Ctrl-C does: they raise :class:`Terminated`, or, when an asyncio runner owns Ctrl-C at that
    moment, hand over to it, so it cancels its tasks cleanly (raising in the middle of the event
    loop would leave its tasks pending) and a KeyboardInterrupt comes out; :func:`stopped_by`
    then tells which signal it was.

    A second signal while the first one unwinds is ignored, so cleanup is not cut short; the
    previous handlers come back when the block ends.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        if _received:
            return
        _received.append(signum)
        on_interrupt = signal.getsignal(signal.SIGINT)
        if callable(on_interrupt) and on_interrupt is not signal.default_int_handler:
            on_interrupt(signal.SIGINT, frame)  # asyncio's runner: it cancels its main task
            return
        raise Terminated(signum)

    previous: dict[int, Any] = {}
    try:
        for sig in signals:
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: leave the handlers alone
        for sig, old in previous.items():
            signal.signal(sig, old)
        previous.clear()
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        _received.clear()
