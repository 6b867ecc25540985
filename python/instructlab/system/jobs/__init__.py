"""Background jobs ilab starts and tracks: the process registry (``ilab process``), the supervisor
that runs a detached job, and child processes that never outlive the command that started them.

Servers (``ilab model serve -dt``) and data generation (``ilab data generate -dt``) run through
it; training and evaluation do next. Names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
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
        wait_exit,
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
    "wait_exit",
]

__getattr__, __dir__ = lazy_exports(__name__, dict.fromkeys(__all__, "registry"))
