"""The SDK's `System`: facts about the installation, and background processes."""

from __future__ import annotations

from typing import Any, TextIO

from instructlab.core._checked import checked
from instructlab.system.info import SystemInfo, system_info


class System:
    """The machine, the installation, and the background processes ilab started (v1alpha1)."""

    @checked
    def info(self, use_torch: bool = True) -> SystemInfo:
        """Platform, Python, package versions, CPU and memory, GPUs, native core build."""
        return system_info(use_torch=use_torch)

    @checked
    def processes(self) -> list[dict[str, Any]]:
        """Background servers and jobs started detached: id, pid, kind, command, log file, start
        time, state (running, done, failed, gone) and exit code."""
        from instructlab.system import jobs

        return [record.to_dict() for record in jobs.list_processes()]

    @checked
    def attach(self, process_id: str, output: TextIO | None = None) -> None:
        """Follows a background process's log until it ends or Ctrl-C."""
        import sys

        from instructlab.system import jobs

        out = output or sys.stdout
        for line in jobs.follow(process_id):
            out.write(line)
            out.flush()

    @checked
    def stop(self, process_id: str) -> dict[str, Any]:
        """Stops a background process and forgets it; returns its record."""
        from instructlab.system import jobs

        return jobs.stop(process_id).to_dict()

    @checked
    def prune(self) -> list[str]:
        """Forgets finished background processes; returns their ids."""
        from instructlab.system import jobs

        return jobs.prune()
