"""Background jobs ilab starts and tracks: the process registry (``ilab process``), the supervisor
that runs a detached job, and child processes that never outlive the command that started them.

Servers (``ilab model serve -dt``) and data generation (``ilab data generate -dt``) run through
it; training and evaluation do next.
"""

from __future__ import annotations

from instructlab.system.jobs.registry import (
    ProcessRecord,
    follow,
    get,
    launch,
    list_processes,
    logs_dir,
    pid_alive,
    processes_dir,
    prune,
    record_exit,
    record_pid,
    stop,
)

__all__ = [
    "ProcessRecord",
    "follow",
    "get",
    "launch",
    "list_processes",
    "logs_dir",
    "pid_alive",
    "processes_dir",
    "prune",
    "record_exit",
    "record_pid",
    "stop",
]
