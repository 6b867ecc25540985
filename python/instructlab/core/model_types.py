"""The typed records :class:`~instructlab.core.Model` returns that its engines define: import
them from here (or from ``instructlab.core``), never from the engines."""

from __future__ import annotations

from instructlab.models.folder import ModelInfo
from instructlab.train.data import ProcessSummary

__all__ = ["ModelInfo", "ProcessSummary"]
