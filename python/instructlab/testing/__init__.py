"""Test helpers that ship with the package (tests and benchmarks use them): a mock
OpenAI-compatible server with scripted replies, limited capacity and injected faults.

- :mod:`~instructlab.testing.rules`: which requests a rule answers and what it says;
- :mod:`~instructlab.testing.capacity`: the capacity and fault model of a real server;
- :mod:`~instructlab.testing.http`: the HTTP handling;
- :mod:`~instructlab.testing.mock_openai`: the server itself (also ``python -m``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Call", "MockOpenAI", "MockStats", "Rule"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `python -m instructlab.testing.mock_openai` does not import it twice.
    if name in __all__:
        from instructlab.testing import mock_openai

        return getattr(mock_openai, name)
    raise AttributeError(name)
