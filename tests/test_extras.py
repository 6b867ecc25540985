"""One error for every missing optional dependency, naming the extra that brings it."""

from __future__ import annotations

import pytest

from instructlab.errors import MissingExtra
from instructlab.extras import installed, require


def test_a_missing_module_names_the_extra_and_the_command() -> None:
    with pytest.raises(MissingExtra) as caught:
        require("instructlab_no_such_module.sub", "rag", "converting documents")
    message = caught.value.message
    assert message.startswith("converting documents needs the 'rag' extra")
    assert "instructlab_no_such_module" in message
    assert "pip install 'instructlab[rag]'" in message
    assert caught.value.extra == "rag"


def test_an_installed_module_is_returned() -> None:
    assert require("json", "dev", "x").dumps([]) == "[]"
    assert installed("json") and not installed("instructlab_no_such_module")
    assert not installed("instructlab_no_such_module.sub")
