"""The typed records :class:`~instructlab.core.Data` takes and returns.

They are defined by the engines that produce them and are part of the SDK contract (v1alpha1):
import them from here (or from ``instructlab.core``), never from the engines.

- ``generate_data`` takes a :class:`GenerateOptions` and returns a :class:`GenerateResult`
  (with its :class:`RunReport` and :class:`MixOutputs`, or a dry run's
  :class:`DryRunEstimate`); it raises :class:`GenerationIncomplete` when a leaf yields no
  training rows. While it runs, ``on_event`` hears :data:`GenerateEvent` records; with
  ``detached=True`` it returns the background run's :class:`ProcessRecord`.
- ``list_pipelines`` returns :class:`FoundPipeline` records, ``mix`` a :class:`MixResult`
  (:class:`MixCleaning` says what cleaning removed), ``list`` :class:`DataRun` records.
"""

from __future__ import annotations

from instructlab.documents import IngestedDocument
from instructlab.sdg.discovery import FoundPipeline
from instructlab.sdg.events import (
    GenerateEvent,
    ShardFinished,
    ShardProgress,
    ShardStarted,
    TeacherProgress,
)
from instructlab.sdg.listing import DataFile, DataRun, RunStatus
from instructlab.sdg.mixclean import MixCleaning
from instructlab.sdg.options import GenerateOptions
from instructlab.sdg.recipes import MixedDataset, MixResult
from instructlab.sdg.report import BlockReport, LeafReport, RunReport, TeacherReport
from instructlab.sdg.results import (
    DryRunEstimate,
    GenerateResult,
    GenerationIncomplete,
    LeafEstimate,
)
from instructlab.sdg.runmix import MixOutputs
from instructlab.system.jobs.registry import ProcessRecord

__all__ = [
    "BlockReport",
    "DataFile",
    "DataRun",
    "DryRunEstimate",
    "FoundPipeline",
    "GenerateEvent",
    "GenerateOptions",
    "GenerateResult",
    "GenerationIncomplete",
    "IngestedDocument",
    "LeafEstimate",
    "LeafReport",
    "MixCleaning",
    "MixOutputs",
    "MixResult",
    "MixedDataset",
    "ProcessRecord",
    "RunReport",
    "RunStatus",
    "ShardFinished",
    "ShardProgress",
    "ShardStarted",
    "TeacherProgress",
    "TeacherReport",
]
