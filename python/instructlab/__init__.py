"""instructlab: teach a language model new skills and knowledge from a taxonomy of YAML files.

The SDK lives in :mod:`instructlab.core`; the ``ilab`` command in :mod:`instructlab.cli`.
"""

from instructlab._native import __version__

__all__ = ["__version__"]
