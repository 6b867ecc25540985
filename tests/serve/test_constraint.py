"""Constrained sampling: a request's ``grammar`` (GBNF) or ``response_format`` (JSON schema) read
and checked by the HTTP layer, and honoured by our llama.cpp engine on the embedded model."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from instructlab.errors import ServerError
from instructlab.llm.endpoint import Endpoint
from instructlab.llm.running import RunningServer, running_server
from instructlab.serve.generation import Constraint, EngineError, SamplingParams


def test_requests_without_a_constraint_are_free_text() -> None:
    assert SamplingParams.from_request({}, None).constraint is None
    body = {"response_format": {"type": "text"}}
    assert SamplingParams.from_request(body, None).constraint is None


def test_grammar_and_response_format_are_read() -> None:
    assert Constraint.from_request({"grammar": 'root ::= "a"'}) == Constraint(
        "gbnf", 'root ::= "a"'
    )
    any_object = Constraint.from_request({"response_format": {"type": "json_object"}})
    assert any_object == Constraint("json_schema", '{"type": "object"}')
    schema = {"type": "object", "properties": {"x": {"type": "integer"}}}
    found = Constraint.from_request(
        {"response_format": {"type": "json_schema", "json_schema": {"schema": schema}}}
    )
    assert found is not None and json.loads(found.text) == schema


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"grammar": ""}, "non-empty"),
        ({"grammar": 5}, "non-empty"),
        ({"response_format": "json"}, "must be an object"),
        ({"response_format": {"type": "xml"}}, "'response_format.type'"),
        ({"response_format": {"type": "json_schema"}}, "json_schema.schema"),
        ({"grammar": 'root ::= "a"', "response_format": {"type": "json_object"}}, "not both"),
    ],
)
def test_bad_constraints_are_refused(body, says) -> None:
    with pytest.raises(EngineError) as caught:
        SamplingParams.from_request(body, None)
    assert caught.value.status == 400
    assert says in str(caught.value)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server("embedded://smollm2-135m-instruct", ctx_size=1024, parallel=2) as s:
        yield s


QUESTION = [{"role": "user", "content": "Is the sea wet? Answer yes or no."}]


def test_a_grammar_holds_the_embedded_model_to_it(server) -> None:
    endpoint = Endpoint(server.base_url)
    for seed in (1, 2):
        text = endpoint.chat(
            server.model_id,
            QUESTION,
            grammar='root ::= "maybe" | "perhaps"',
            temperature=1.0,
            seed=seed,
            max_tokens=8,
        )
        assert text in ("maybe", "perhaps")


def test_a_json_schema_gives_parseable_json(server) -> None:
    schema = {
        "type": "object",
        "properties": {"verdict": {"enum": ["wet", "dry"]}, "rating": {"enum": [1, 2, 3]}},
        "required": ["verdict", "rating"],
    }
    text = Endpoint(server.base_url).chat(
        server.model_id,
        QUESTION,
        response_format={"type": "json_schema", "json_schema": {"schema": schema}},
        temperature=0.0,
        max_tokens=40,
    )
    data = json.loads(text)
    assert data["verdict"] in ("wet", "dry") and data["rating"] in (1, 2, 3)


def test_a_grammar_llama_cpp_cannot_parse_is_the_clients_error(server) -> None:
    with pytest.raises(ServerError) as caught:
        Endpoint(server.base_url).chat(server.model_id, QUESTION, grammar='root ::= ("a"')
    assert "400" in caught.value.message and "grammar" in caught.value.message
    # The server goes on serving.
    assert Endpoint(server.base_url).chat(server.model_id, QUESTION, max_tokens=2)
