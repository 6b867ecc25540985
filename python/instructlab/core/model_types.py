"""The typed records :class:`~instructlab.core.Model` returns that its engines define: import
them from here (or from ``instructlab.core``), never from the engines."""

from __future__ import annotations

from instructlab.core.model.before_after import BeforeAfter
from instructlab.eval.before_after import Question, TestRow
from instructlab.models.folder import ModelInfo
from instructlab.train.data import ProcessSummary
from instructlab.train.export.convert import ConvertResult

__all__ = ["BeforeAfter", "ConvertResult", "ModelInfo", "ProcessSummary", "Question", "TestRow"]
