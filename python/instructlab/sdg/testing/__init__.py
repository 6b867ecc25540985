"""Test helpers that ship with the package (tests and benches use them): a mock teacher."""

from __future__ import annotations

from instructlab.sdg.testing.mock_openai import Call, MockOpenAI, Rule

__all__ = ["Call", "MockOpenAI", "Rule"]
