"""The instructlab SDK, API version v1alpha1.

::

    from instructlab.core import Config, Taxonomy, Data, Model, RAG, System

Each class takes its defaults in its constructor, so methods can be called bare; every default can
be overridden per call. Nothing needs a ``config.yaml``: without one, built-in defaults apply.
The records the classes take and return (``GenerateOptions``, ``GenerateResult``, ...) are
importable from here too (see :mod:`instructlab.core.data_types`). Importing this module loads
no ML stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.core.config import Config, ConfigInitResult
    from instructlab.core.data import Data
    from instructlab.core.data_types import (
        BlockReport,
        DataFile,
        DataRun,
        DryRunEstimate,
        FoundPipeline,
        GenerateEvent,
        GenerateOptions,
        GenerateResult,
        GenerationIncomplete,
        IngestedDocument,
        LeafEstimate,
        LeafReport,
        MixCleaning,
        MixedDataset,
        MixOutputs,
        MixResult,
        ProcessRecord,
        RunReport,
        RunStatus,
        ShardFinished,
        ShardProgress,
        ShardStarted,
        TeacherProgress,
        TeacherReport,
    )
    from instructlab.core.model import Model
    from instructlab.core.model_types import (
        BeforeAfter,
        ConvertResult,
        ModelInfo,
        ProcessSummary,
        Question,
        TestRow,
    )
    from instructlab.core.rag import RAG
    from instructlab.core.system import System
    from instructlab.core.taxonomy import Taxonomy

# Each class is imported when first asked for: `ilab taxonomy diff` needs only `Taxonomy`, and
# the configuration model the others import costs more than the whole diff.
_HOMES = {
    "Config": "config",
    "ConfigInitResult": "config",
    "Data": "data",
    "Model": "model",
    "RAG": "rag",
    "System": "system",
    "Taxonomy": "taxonomy",
    "ModelInfo": "model_types",
    "ProcessSummary": "model_types",
    "BeforeAfter": "model_types",
    "ConvertResult": "model_types",
    "Question": "model_types",
    "TestRow": "model_types",
    # The records Data takes and returns (see instructlab.core.data_types).
    "BlockReport": "data_types",
    "DataFile": "data_types",
    "DataRun": "data_types",
    "DryRunEstimate": "data_types",
    "FoundPipeline": "data_types",
    "GenerateEvent": "data_types",
    "GenerateOptions": "data_types",
    "GenerateResult": "data_types",
    "GenerationIncomplete": "data_types",
    "IngestedDocument": "data_types",
    "LeafEstimate": "data_types",
    "LeafReport": "data_types",
    "MixCleaning": "data_types",
    "MixOutputs": "data_types",
    "MixResult": "data_types",
    "MixedDataset": "data_types",
    "ProcessRecord": "data_types",
    "RunReport": "data_types",
    "RunStatus": "data_types",
    "ShardFinished": "data_types",
    "ShardProgress": "data_types",
    "ShardStarted": "data_types",
    "TeacherProgress": "data_types",
    "TeacherReport": "data_types",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)


__api_version__ = "v1alpha1"

__all__ = [
    "RAG",
    "BeforeAfter",
    "BlockReport",
    "Config",
    "ConfigInitResult",
    "ConvertResult",
    "Data",
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
    "Model",
    "ModelInfo",
    "ProcessRecord",
    "ProcessSummary",
    "Question",
    "RunReport",
    "RunStatus",
    "ShardFinished",
    "ShardProgress",
    "ShardStarted",
    "System",
    "Taxonomy",
    "TeacherProgress",
    "TeacherReport",
    "TestRow",
    "__api_version__",
]
