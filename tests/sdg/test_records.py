"""Generated rows to training records (InstructLab's messages format)."""

from __future__ import annotations

import json

from instructlab.sdg.records import (
    has_content,
    question_and_response,
    record_id,
    skill_record,
    to_training_record,
    with_system_prompt,
)


def test_question_and_response_from_columns_or_one_output() -> None:
    assert question_and_response({"question": " Q? ", "response": " A. "}) == ("Q?", "A.")
    assert question_and_response({"output": "Why is the sky blue? Rayleigh."}) == (
        "Why is the sky blue?",
        "Rayleigh.",
    )
    assert question_and_response({"output": "No question here."}) == ("", "No question here.")


def test_record_ids_depend_on_content_only() -> None:
    assert record_id("skill", [1, {"b": 2, "a": 1}]) == record_id("skill", [1, {"a": 1, "b": 2}])
    assert record_id("skill", [1]) != record_id("skill", [2])


def test_a_skill_row_becomes_a_record_with_its_other_columns_as_metadata() -> None:
    row = {"question": "Name a fruit?", "response": "Apple.", "leaf": "a/b", "id": "x"}
    record = skill_record(row, "Be brief.")
    assert record is not None
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    assert record["messages"][0]["content"] == "Be brief."
    assert json.loads(record["metadata"]) == {"leaf": "a/b"}
    assert record["unmask"] is False
    assert skill_record({"question": "Q?", "response": ""}, "s") is None


def test_training_records_keep_four_columns() -> None:
    row = {"messages": [{"role": "user", "content": "hi"}], "metadata": '{"a": 1}', "extra": 2}
    record = to_training_record(row)
    assert set(record) == {"id", "messages", "metadata", "unmask"}
    assert json.loads(record["metadata"]) == {"a": 1, "extra": 2}
    assert record["id"] == to_training_record(row)["id"]


def test_system_prompts_are_set_or_added_and_content_is_checked() -> None:
    record = {"messages": [{"role": "user", "content": "hi"}]}
    added = with_system_prompt(record, "S")
    assert added["messages"][0] == {"role": "system", "content": "S"}
    assert record["messages"] == [{"role": "user", "content": "hi"}]  # not changed in place
    replaced = with_system_prompt(added, "T")
    assert [m["content"] for m in replaced["messages"]] == ["T", "hi"]
    assert has_content(replaced)
    assert not has_content({"messages": [{"role": "user", "content": " "}]})
    assert not has_content({"messages": []})
