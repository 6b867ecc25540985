"""The instructlab SDK, API version v1alpha1.

::

    from instructlab.core import Config, Taxonomy, Data, Model, RAG, System

Each class takes its defaults in its constructor, so methods can be called bare; every default can
be overridden per call. Nothing needs a ``config.yaml``: without one, built-in defaults apply.
Importing this module loads no ML stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from instructlab._lazy import lazy_exports

if TYPE_CHECKING:
    from instructlab.core.config import Config, ConfigInitResult
    from instructlab.core.data import Data
    from instructlab.core.model import Model
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
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)


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
