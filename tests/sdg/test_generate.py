"""generate_for_leaves end to end against the mock teacher: seeds, pipelines, resume, mixing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from instructlab.llm.client import LLMClient
from instructlab.sdg.generate import generate_for_leaves
from instructlab.taxonomy import Document, Leaf
from instructlab.testing import Call, MockOpenAI, Rule

EXAMPLE = Path(__file__).resolve().parents[2] / "python/instructlab/data/example_taxonomy"
DOCS = Path(__file__).resolve().parents[2] / "python/instructlab/data/example_docs"

KINDS = {
    "knowledge/science/ecology/pollinators": "knowledge",
    "compositional_skills/extraction/grounded/meeting_action_items": "grounded_skill",
    "compositional_skills/writing/freeform/thank_you_notes": "freeform_skill",
}


def _leaves() -> list[Leaf]:
    leaves = []
    for folder, kind in KINDS.items():
        content = yaml.safe_load((EXAMPLE / folder / "qna.yaml").read_text(encoding="utf-8"))
        docs = ()
        if kind == "knowledge":
            docs = (Document("local", "0" * 40, "pollinators.md", DOCS / "pollinators.md"),)
        leaves.append(Leaf(f"{folder}/qna.yaml", kind, content["version"], content, docs))  # type: ignore[arg-type]
    return leaves


def _reply(call: Call) -> str:
    # Every simple-pipeline prompt parses this (a question request takes the first paragraph,
    # an answer request the whole text); the text differs per prompt and sample.
    text = f"{call.prompt}|{call.seed}|{call.choice}".encode()
    tag = hashlib.blake2b(text, digest_size=4).hexdigest()
    return f"Question: question {tag}?\n\nAnswer: answer {tag}."


def _run(tmp_path: Path, server: MockOpenAI, **kw: object):
    return generate_for_leaves(
        _leaves(),
        LLMClient(server.base_url),
        output_dir=tmp_path / "out",
        pipeline="simple",
        num_instructions_to_generate=3,
        **kw,  # type: ignore[arg-type]
    )


def test_every_leaf_yields_rows_and_the_mix_is_written(tmp_path: Path) -> None:
    with MockOpenAI([Rule("", _reply)]) as server:
        result = _run(tmp_path, server)
    assert result.ok
    report = result.report
    assert report is not None
    assert {leaf.leaf for leaf in report.leaves} == {f"{f}/qna.yaml" for f in KINDS}
    for leaf in report.leaves:
        assert leaf.rows_out >= 1
        (output,) = leaf.outputs  # one shard per leaf
        rows = [json.loads(line) for line in Path(output).read_text().splitlines()]
        assert len(rows) == leaf.rows_out
        # Grounded questions carry their context in front of the generated question.
        assert all(r["question"].split("\n\n")[-1].startswith("question ") for r in rows)
        assert all(r["response"].startswith("Question: question ") for r in rows)
    assert result.outputs is not None
    assert result.outputs.rows > 0
    messages = Path(result.outputs.legacy_messages).read_text().splitlines()
    assert messages and all("messages" in json.loads(line) for line in messages)
    # The run report says what mixing checked and removed, per training set.
    assert result.run_dir is not None
    written = json.loads((result.run_dir / "report.json").read_text())
    checked = written["mix_removed"]["training_sets"]
    assert set(checked) == {"knowledge", "skills", "legacy"}
    assert all(t["rows_in"] > 0 for t in checked.values())
    assert report.mixing == result.outputs.cleaning


def test_same_call_resumes_and_new_run_starts_afresh(tmp_path: Path) -> None:
    with MockOpenAI([Rule("", _reply)]) as server:
        first = _run(tmp_path, server)
        sent = server.stats.requests
        # A finished run is not resumed: the same call makes a new run, new_run forces one.
        second = _run(tmp_path, server, new_run=True)
        assert second.run_dir != first.run_dir
        assert server.stats.requests == 2 * sent


def test_unfinished_run_is_continued(tmp_path: Path) -> None:
    with MockOpenAI([Rule("", _reply)]) as server:
        first = _run(tmp_path, server)
        assert first.run_dir is not None
        meta = first.run_dir / "run.json"
        info = json.loads(meta.read_text())
        info["status"] = "running"  # as if killed before mixing
        meta.write_text(json.dumps(info))
        before = server.stats.requests
        again = _run(tmp_path, server)
        assert again.resumed
        assert again.run_dir == first.run_dir
        assert server.stats.requests == before  # nothing re-sent


def test_a_leaf_with_no_rows_fails_the_run(tmp_path: Path) -> None:
    # The simple pipeline takes any text as a question, so only empty replies leave no rows.
    rules = [Rule("thank", [""]), Rule("", _reply)]
    with MockOpenAI(rules) as server:
        result = _run(tmp_path, server)
    assert not result.ok
    assert result.report is not None
    failed = [leaf.leaf for leaf in result.report.failed_leaves]
    assert failed == ["compositional_skills/writing/freeform/thank_you_notes/qna.yaml"]


def test_dry_run_sends_nothing(tmp_path: Path) -> None:
    with MockOpenAI([Rule("", _reply)]) as server:
        result = generate_for_leaves(
            _leaves(), None, output_dir=tmp_path, pipeline="full", dry_run=True
        )
        assert server.stats.requests == 0
    est = result.estimate
    assert est is not None
    assert est.requests > 0 and est.sequences >= est.requests
    assert set(est.per_leaf) >= {f"{f}/qna.yaml" for f in KINDS}


def test_pipeline_problems_are_reported_before_any_request(tmp_path: Path) -> None:
    from instructlab.sdg.errors import PipelineConfigParserError

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "freeform_skills.yaml").write_text(
        'version: "1.0"\nblocks:\n  - name: x\n    type: Nope\n    config: {}\n', encoding="utf-8"
    )
    with MockOpenAI() as server, pytest.raises(PipelineConfigParserError) as err:
        generate_for_leaves(
            _leaves(), LLMClient(server.base_url), output_dir=tmp_path, pipeline=str(bad)
        )
    assert server.stats.requests == 0
    assert "has no pipeline for knowledge leaves" in str(err.value)
    assert "unknown block type 'Nope'" in str(err.value)
