"""The instructlab SDK, API version v1alpha1.

::

    from instructlab.core import Config, Taxonomy, Data, Model, RAG, System

Each class takes its defaults in its constructor, so methods can be called bare; every default can
be overridden per call. Nothing needs a ``config.yaml``: without one, built-in defaults apply.
Importing this module loads no ML stack.
"""

from instructlab.core.config import Config, ConfigInitResult
from instructlab.core.data import Data
from instructlab.core.model import Model
from instructlab.core.rag import RAG
from instructlab.core.system import System
from instructlab.core.taxonomy import Taxonomy

__api_version__ = "v1alpha1"

__all__ = [
    "RAG",
    "Config",
    "ConfigInitResult",
    "Data",
    "Model",
    "System",
    "Taxonomy",
    "__api_version__",
]
