"""Where the model and the maths go: the one seam between the training loop and the hardware.

The loop asks a :class:`Placement` to put the model on its device (:meth:`Placement.prepare`),
for the precision context of a forward pass (:meth:`Placement.autocast`), to sum counts over
every process (:meth:`Placement.sum`) and for memory figures. One process on one device is
:class:`SingleDevice`; sharding over many GPUs (FSDP2) and nodes is another ``Placement`` with
the same methods, so the loop does not change when it comes.

Precision: fp32 on the CPU (bf16 on request: it is slow where the CPU lacks bf16 instructions);
on CUDA, bf16 compute (autocast) over fp32 master weights, so the optimizer updates in fp32.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from dataclasses import dataclass
from typing import Any

from instructlab import extras
from instructlab.errors import NotImplementedYet, UsageError

__all__ = ["Placement", "SingleDevice", "place", "rss_bytes"]


def rss_bytes() -> int:
    """This process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:  # noqa: PTH123 (a kernel file)
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


class Placement:
    """How one process trains: its device, precision and place among the processes."""

    device: Any
    #: The dtype the weights (and optimizer state) are kept in.
    param_dtype: Any
    #: The dtype of the forward and backward maths (``None``: the weights' dtype).
    compute_dtype: Any
    rank: int = 0
    world_size: int = 1

    def prepare(self, model: Any) -> Any:
        """Puts the model where it trains; returns the module to call."""
        raise NotImplementedError

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        """The precision context of a forward pass."""
        raise NotImplementedError

    def sum(self, value: int) -> int:
        """``value`` summed over every process (the learned tokens of a step)."""
        raise NotImplementedError

    def memory(self) -> dict[str, int]:
        """Memory figures for the metrics: ``rss_bytes`` and, on CUDA, ``cuda_*``."""
        raise NotImplementedError

    def describe(self) -> str:
        """The device and precision, for people."""
        raise NotImplementedError


@dataclass
class SingleDevice(Placement):
    """One process, one device (the CPU, one CUDA GPU or Apple's MPS)."""

    device: Any
    param_dtype: Any
    compute_dtype: Any
    rank: int = 0
    world_size: int = 1

    def prepare(self, model: Any) -> Any:
        model.to(device=self.device, dtype=self.param_dtype)
        return model

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        import torch

        if self.compute_dtype is None or self.compute_dtype == self.param_dtype:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.compute_dtype)

    def sum(self, value: int) -> int:
        return value

    def memory(self) -> dict[str, int]:
        out = {"rss_bytes": rss_bytes()}
        if self.device.type == "cuda":
            import torch

            out["cuda_mem_allocated"] = int(torch.cuda.memory_allocated(self.device))
            stats = torch.cuda.memory_stats(self.device)
            out["cuda_malloc_retries"] = int(stats.get("num_alloc_retries", 0))
        return out

    def describe(self) -> str:
        name = str(self.device)
        if self.device.type == "cuda":
            import torch

            name = f"{name} ({torch.cuda.get_device_name(self.device)})"
        weights = str(self.param_dtype).removeprefix("torch.")
        if self.compute_dtype is None or self.compute_dtype == self.param_dtype:
            return f"{name}, {weights}"
        compute = str(self.compute_dtype).removeprefix("torch.")
        return f"{name}, {compute} compute over {weights} weights"


def place(device: str, dtype: str | None) -> Placement:
    """The placement for ``device`` (``cpu``, ``cuda``, ``mps``) and ``dtype``; a clear error
    when the device is not there. Several processes (``WORLD_SIZE`` > 1, as torchrun sets it)
    are the multi-GPU trainer's work, not this one's."""
    torch = extras.require("torch", "train", "training")
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world > 1:
        raise NotImplementedYet(
            "training over several processes (FSDP2, issue 16)", "WORLD_SIZE > 1"
        )
    if device == "cuda":
        if not torch.cuda.is_available():
            raise UsageError(
                f"device: CUDA was asked for, but torch {torch.__version__} finds no CUDA "
                "device here; use --device cpu",
                "device",
            )
        local = int(os.environ.get("LOCAL_RANK", "0") or 0)
        target = torch.device("cuda", local)
        torch.cuda.set_device(target)
        if dtype == "float32":
            return SingleDevice(target, torch.float32, None)
        # bf16 maths over fp32 master weights (the optimizer updates fp32).
        return SingleDevice(target, torch.float32, torch.bfloat16)
    if device == "mps":
        if not torch.backends.mps.is_available():
            raise UsageError(
                "device: Apple's MPS was asked for, but torch finds none here; use --device cpu",
                "device",
            )
        compute = torch.bfloat16 if dtype == "bfloat16" else None
        return SingleDevice(torch.device("mps"), torch.float32, compute)
    if device != "cpu":
        raise UsageError(f"device: must be cpu, cuda or mps, got {device!r}", "device")
    if dtype == "bfloat16":
        return SingleDevice(torch.device("cpu"), torch.float32, torch.bfloat16)
    return SingleDevice(torch.device("cpu"), torch.float32, None)
