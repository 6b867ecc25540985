"""``python -m instructlab.system.jobs.supervise ID LOG -- ARGV...``: runs a detached job.

It forks: the parent writes the job's pid into the process record, prints it and exits at once,
so the caller never holds a child process; the child (a session leader, output appended to LOG)
runs the job, forwards SIGTERM and SIGINT to it, and writes its exit code into the record, so
``ilab process list`` can say "done" or "failed" after the fact.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from instructlab.system.jobs import children
from instructlab.system.jobs.registry import record_exit, record_pid


def _run_job(process_id: str, log: str, command: list[str], ready_fd: int) -> int:
    os.setsid()
    os.read(ready_fd, 1)  # returns at EOF: the record holds our pid now
    os.close(ready_fd)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    try:
        child = children.spawn(command)
    except OSError as exc:
        print(f"cannot start {command[0]}: {exc}", flush=True)
        record_exit(process_id, 127)
        return 127

    def forward(signum: int, _frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = child.wait()
    record_exit(process_id, code)
    return code


def main(argv: list[str]) -> int:
    """Forks the supervisor of the job named after ``--``; prints its pid."""
    if len(argv) < 4 or argv[2] != "--":
        print(
            "usage: python -m instructlab.system.jobs.supervise ID LOG -- COMMAND...",
            file=sys.stderr,
        )
        return 2
    process_id, log, command = argv[0], argv[1], argv[3:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        code = 1
        try:
            code = _run_job(process_id, log, command, read_end)
        finally:
            os._exit(code)
    os.close(read_end)
    record_pid(process_id, pid)
    os.close(write_end)
    print(pid, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
