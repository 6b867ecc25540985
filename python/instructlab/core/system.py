"""The SDK's `System`: facts about the installation, and background processes."""

from __future__ import annotations

from typing import Any

from instructlab.core._pending import not_yet
from instructlab.system.info import SystemInfo, system_info


class System:
    """The machine, the installation, and the background processes ilab started (v1alpha1)."""

    def info(self, use_torch: bool = True) -> SystemInfo:
        """Platform, Python, package versions, CPU and memory, GPUs, native core build."""
        return system_info(use_torch=use_torch)

    def processes(self) -> list[dict[str, Any]]:
        """Background servers and jobs started detached: pid, command, log file, start, state."""
        raise not_yet("System.processes")

    def attach(self, process_id: str) -> None:
        """Follows a background process's log until it ends or Ctrl-C."""
        raise not_yet("System.attach")

    def stop(self, process_id: str) -> None:
        """Stops a background process."""
        raise not_yet("System.stop")

    def prune(self) -> list[str]:
        """Forgets finished background processes; returns their ids."""
        raise not_yet("System.prune")
