"""Test helpers that ship with the package (tests and benches use them): a mock teacher."""

from __future__ import annotations

from typing import Any

__all__ = ["Call", "MockOpenAI", "Rule"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `python -m instructlab.sdg.testing.mock_openai` does not import it twice.
    if name in __all__:
        from instructlab.sdg.testing import mock_openai

        return getattr(mock_openai, name)
    raise AttributeError(name)
