"""The SDK's `Model`: serve, chat, prepare data, train, evaluate and manage models.

One module per command, so each capability is written (and reviewed) on its own; `Model` is
their sum. A new command adds its module and its base class here.
"""

from __future__ import annotations

from instructlab.core.model.before_after import Testing
from instructlab.core.model.chat import Chatting
from instructlab.core.model.convert import Converting
from instructlab.core.model.evaluate_knowledge import EvaluatingKnowledge
from instructlab.core.model.evaluate_skills import EvaluatingSkills
from instructlab.core.model.manage import Managing
from instructlab.core.model.process_data import ProcessingData
from instructlab.core.model.serve import Serving
from instructlab.core.model.train import Training
from instructlab.core.model.upload import Uploading

__all__ = ["Model"]


class Model(
    Serving,
    Chatting,
    Managing,
    ProcessingData,
    Training,
    EvaluatingKnowledge,
    EvaluatingSkills,
    Converting,
    Testing,
    Uploading,
):
    """A student model and what can be done with it (v1alpha1).

    ``Model(student_model=..., configuration=...)`` sets defaults for every method; each method
    also takes its own overrides.
    """
