"""Facts about the machine and the installation: hardware, package versions, the native core."""

from instructlab.system.hardware import Gpu, Hardware, detect_hardware
from instructlab.system.info import SystemInfo, system_info

__all__ = ["Gpu", "Hardware", "SystemInfo", "detect_hardware", "system_info"]
