"""Hardware detection that needs no ML stack: CPU, memory, GPUs.

GPUs are found through ``nvidia-smi`` (NVIDIA), the platform (Apple silicon) and, only when asked
to and when it is installed, torch. Nothing here imports torch unless ``use_torch`` is set.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Gpu:
    """One accelerator."""

    manufacturer: str
    name: str
    memory_gib: float | None = None


@dataclass(frozen=True)
class Hardware:
    """What this machine has."""

    cpu_model: str
    cpu_count: int
    memory_gib: float
    gpus: list[Gpu] = field(default_factory=list)

    @property
    def apple_silicon(self) -> bool:
        """True on an Apple M-series Mac."""
        return platform.system() == "Darwin" and platform.machine() == "arm64"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith(("model name", "Hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    if platform.system() == "Darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if out.stdout.strip():
                return out.stdout.strip()
        except OSError:
            pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
        return round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return 0.0


def _nvidia_gpus() -> list[Gpu]:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run(
            [smi, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    gpus = []
    for line in out.stdout.splitlines():
        name, _, memory = line.partition(",")
        try:
            gib = round(float(memory) / 1024, 1)
        except ValueError:
            gib = None
        if name.strip():
            gpus.append(Gpu("NVIDIA", name.strip(), gib))
    return gpus


def _torch_gpus() -> list[Gpu]:
    if importlib.util.find_spec("torch") is None:
        return []
    import torch  # type: ignore[import-not-found,unused-ignore]

    gpus = []
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            maker = "AMD" if getattr(torch.version, "hip", None) else "NVIDIA"
            gpus.append(Gpu(maker, props.name, round(props.total_memory / 2**30, 1)))
    return gpus


def detect_hardware(use_torch: bool = False) -> Hardware:
    """Looks at this machine. With ``use_torch``, torch (when installed) is asked about GPUs too."""
    gpus = _nvidia_gpus()
    if use_torch and not gpus:
        gpus = _torch_gpus()
    hardware = Hardware(_cpu_model(), os.cpu_count() or 1, _memory_gib(), gpus)
    if hardware.apple_silicon and not gpus:
        hardware.gpus.append(Gpu("Apple", f"{hardware.cpu_model} GPU", hardware.memory_gib))
    return hardware
