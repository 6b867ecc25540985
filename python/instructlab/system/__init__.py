"""Facts about the machine and the installation (hardware, package versions, the native core),
and the background jobs ilab starts (:mod:`instructlab.system.jobs`).

Names are imported on first use: the error boundary of every command imports ``system.jobs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.system.hardware import Gpu, Hardware, detect_hardware
    from instructlab.system.info import SystemInfo, system_info

_HOMES = {
    "Gpu": "hardware",
    "Hardware": "hardware",
    "detect_hardware": "hardware",
    "SystemInfo": "info",
    "system_info": "info",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = ["Gpu", "Hardware", "SystemInfo", "detect_hardware", "system_info"]
