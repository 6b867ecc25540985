"""``ilab data generate`` through the CLI against the mock teacher over real HTTP on 127.0.0.1.

Exit codes, the rows written, the printed report, ``--dry-run``, ``--num-cpus`` as a cap on
requests in flight, ``--pipeline`` names and directories (the XDG user and system directories
included), ``--list-pipelines`` and a leaf that yields nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from instructlab.cli.main import cli
from instructlab.core import Data
from instructlab.testing import Call, MockOpenAI, Rule

LEAVES = {
    "compositional_skills/extraction/grounded/meeting_action_items/qna.yaml",
    "compositional_skills/linguistics/synonyms/qna.yaml",
    "compositional_skills/writing/freeform/thank_you_notes/qna.yaml",
    "knowledge/science/ecology/pollinators/qna.yaml",
}
SIMPLE = ("--pipeline", "simple")
BUILTIN_SIMPLE = Path(__file__).resolve().parents[2] / "python/instructlab/sdg/pipelines/simple"


def reply(call: Call) -> str:
    """A reply every simple-pipeline prompt parses, different per prompt and sample."""
    text = f"{call.prompt}|{call.seed}|{call.choice}".encode()
    tag = hashlib.blake2b(text, digest_size=4).hexdigest()
    return f"Question: question {tag}?\n\nAnswer: answer {tag}."


def generate(taxonomy: Path, server: MockOpenAI | None, out: Path, *extra: str) -> Result:
    args = ["data", "generate", "--taxonomy-path", str(taxonomy), "--output-dir", str(out)]
    if server is not None:
        args += ["--endpoint-url", server.base_url]
    return CliRunner().invoke(cli, [*args, "--sdg-scale-factor", "2", *extra])


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _run_meta(out: Path) -> dict[str, object]:
    (meta,) = (out / "runs").glob("*/run.json")
    return json.loads(meta.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_generate_writes_rows_and_prints_the_report(taxonomy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with MockOpenAI([Rule("", reply)]) as server:
        result = generate(taxonomy, server, out, "--pipeline", "simple")
        sent = server.stats.requests
    assert result.exit_code == 0, result.output
    # The report: a table per leaf and block, then the request counts, then where things went.
    assert "rows in" in result.output and "gen_responses" in result.output
    assert f"{sent} requests (0 retries, 0 errors, 0 throttled)" in result.output
    (nodes,) = out.glob("node_datasets_*")
    per_leaf = {f.stem.removesuffix("_p07").removesuffix("_p10") for f in nodes.glob("*.jsonl")}
    assert per_leaf == {leaf.removesuffix("/qna.yaml").replace("/", "_") for leaf in LEAVES}
    for file in nodes.glob("*.jsonl"):
        assert _rows(file), file
    (skills,) = out.glob("skills_train_msgs_*.jsonl")
    assert f"skills mix: {skills}" in result.output
    records = _rows(skills)
    assert records and all(r["messages"] for r in records)
    # Every answer came from the mock (the simple pipeline answers with the whole reply).
    answers = [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]  # type: ignore[attr-defined,index]
    assert any(str(a).startswith("Question: question ") for a in answers)
    report = json.loads(next((out / "runs").glob("*/report.json")).read_text())
    assert {leaf["leaf"] for leaf in report["leaves"]} == LEAVES
    assert _run_meta(out)["status"] == "done"


def test_dry_run_validates_estimates_and_sends_nothing(taxonomy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with MockOpenAI([Rule("", reply)]) as server:
        result = generate(taxonomy, server, out, "--pipeline", "full", "--dry-run")
        assert server.stats.http_requests == 0
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "Nothing was sent" in result.output
    assert "requests (at most)" in result.output
    assert "knowledge/science/ecology/pollinators/qna.yaml#mmlu_branch" in result.output
    assert not (out / "runs").exists()
    # A dry run still checks the pipeline: a broken one fails before any request.
    bad = tmp_path / "bad"
    shutil.copytree(BUILTIN_SIMPLE, bad)
    text = (bad / "knowledge.yaml").read_text(encoding="utf-8")
    (bad / "knowledge.yaml").write_text(text.replace("LLMBlock", "LLMBlok", 1), encoding="utf-8")
    broken = generate(taxonomy, None, out, "--pipeline", str(bad), "--dry-run")
    assert broken.exit_code != 0
    assert "unknown block type 'LLMBlok'" in broken.output
    assert str(bad / "knowledge.yaml") in broken.output
    assert "Traceback" not in broken.output


def test_num_cpus_caps_requests_in_flight(taxonomy: Path, tmp_path: Path) -> None:
    with MockOpenAI([Rule("", reply)], latency=0.02) as server:
        capped = generate(
            taxonomy, server, tmp_path / "a", "--pipeline", "simple", "--num-cpus", "2"
        )
        assert capped.exit_code == 0, capped.output
        assert server.stats.max_active_requests == 2
        server.stats.max_active_requests = 0
        free = generate(taxonomy, server, tmp_path / "b", "--pipeline", "simple")
        assert free.exit_code == 0, free.output
        # Without the cap the same run keeps more in flight: the cap is what held it at 2.
        assert server.stats.max_active_requests > 2


def _mark_prompts(pipeline_dir: Path, marker: str) -> None:
    """Gives the copied pipeline prompts of its own, beside it, with a marker the mock sees."""
    configs = pipeline_dir / "configs"
    configs.mkdir()
    for file in pipeline_dir.glob("*.yaml"):
        text = file.read_text(encoding="utf-8")
        for ref in {w for w in text.split() if w.startswith("../../configs/")}:
            prompt = yaml.safe_load((BUILTIN_SIMPLE / ref).read_text(encoding="utf-8"))
            prompt["generation"] = f"{marker} {prompt['generation']}"
            (configs / Path(ref).name).write_text(yaml.safe_dump(prompt), encoding="utf-8")
            text = text.replace(ref, f"configs/{Path(ref).name}")
        file.write_text(text, encoding="utf-8")


def test_pipeline_names_from_the_xdg_directories(
    taxonomy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "xdg-data" / "instructlab/sdg/pipelines/mine"
    system = tmp_path / "xdg-system" / "instructlab/sdg/pipelines/site"
    for folder, marker in ((user, "MINE"), (system, "SITE")):
        shutil.copytree(BUILTIN_SIMPLE, folder)
        _mark_prompts(folder, marker)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "xdg-system"))

    listed = CliRunner().invoke(cli, ["data", "generate", "--list-pipelines"])
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[1]: line for line in listed.output.splitlines() if "│" in line}
    assert {"simple", "full", "eval", "mine", "site"} <= set(lines)

    rules = [Rule("MINE", reply), Rule("SITE", reply)]
    with MockOpenAI(rules) as server:
        mine = generate(taxonomy, server, tmp_path / "o1", "--pipeline", "mine")
        assert mine.exit_code == 0, mine.output
        assert server.stats.by_rule["MINE"] > 0 and server.stats.by_rule["SITE"] == 0
        assert _run_meta(tmp_path / "o1")["pipeline"] == str(user)
        site = generate(taxonomy, server, tmp_path / "o2", "--pipeline", "site")
        assert site.exit_code == 0, site.output
        assert server.stats.by_rule["SITE"] > 0
        # A directory path works as is.
        by_path = generate(taxonomy, server, tmp_path / "o3", "--pipeline", str(system))
        assert by_path.exit_code == 0, by_path.output
        assert server.stats.by_rule["default"] == 0
    unknown = generate(taxonomy, None, tmp_path / "o4", "--pipeline", "nope", "--dry-run")
    assert unknown.exit_code != 0
    assert "nope" in unknown.output and str(tmp_path / "xdg-data") in unknown.output
    assert "Traceback" not in unknown.output


def test_a_copy_of_a_builtin_pipeline_works_from_the_user_directory(
    taxonomy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The copy's prompt paths (../../configs/...) point into the package's layout; they are
    # found in the package when they are not beside the copied file.
    shutil.copytree(BUILTIN_SIMPLE, tmp_path / "xdg-data/instructlab/sdg/pipelines/copy")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    with MockOpenAI([Rule("", reply)]) as server:
        result = generate(taxonomy, server, tmp_path / "out", "--pipeline", "copy")
        assert server.stats.requests > 0
    assert result.exit_code == 0, result.output
    shutil.copytree(
        BUILTIN_SIMPLE.with_name("full"), tmp_path / "xdg-data/instructlab/sdg/pipelines/f"
    )
    checked = generate(taxonomy, None, tmp_path / "out", "--pipeline", "f", "--dry-run")
    assert checked.exit_code == 0, checked.output


def test_a_leaf_with_no_rows_fails_the_run_and_is_named(taxonomy: Path, tmp_path: Path) -> None:
    # The simple pipeline takes any text as a question, so only empty replies leave no rows.
    out = tmp_path / "out"
    with MockOpenAI([Rule("thank", [""]), Rule("", reply)]) as server:
        result = generate(taxonomy, server, out, "--pipeline", "simple")
        assert server.stats.requests > 0
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (
        "1 leaves yielded no training rows: "
        "compositional_skills/writing/freeform/thank_you_notes/qna.yaml" in result.output
    )
    # The report is printed and the other leaves' data is written all the same.
    assert "rows in" in result.output
    (nodes,) = out.glob("node_datasets_*")
    names = {f.stem for f in nodes.glob("*.jsonl")}
    assert "compositional_skills_linguistics_synonyms" in names
    assert "compositional_skills_writing_freeform_thank_you_notes" not in names


def test_an_unreachable_endpoint_is_one_message(taxonomy: Path, tmp_path: Path) -> None:
    with MockOpenAI() as server:
        url = server.base_url
    result = CliRunner().invoke(
        cli,
        [
            "data",
            "generate",
            "--taxonomy-path",
            str(taxonomy),
            "--output-dir",
            str(tmp_path / "out"),
            "--endpoint-url",
            url,
            "--pipeline",
            "simple",
        ],
    )
    assert result.exit_code != 0
    assert url.removesuffix("/v1") in result.output
    assert "Traceback" not in result.output


def test_tls_options_against_an_https_teacher(
    taxonomy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from llm.test_tls import PASSWORD, Certs

    certs = Certs(tmp_path / "certs")
    simple = ("--pipeline", "simple")
    with MockOpenAI([Rule("", reply)], ssl_context=certs.server_context()) as server:
        unknown = generate(taxonomy, server, tmp_path / "o1", *simple)
        assert unknown.exit_code != 0
        assert "CERTIFICATE_VERIFY_FAILED" in unknown.output
        assert server.base_url in unknown.output
        assert "Traceback" not in unknown.output
        insecure = generate(taxonomy, server, tmp_path / "o2", *simple, "--tls-insecure")
        assert insecure.exit_code == 0, insecure.output
        # The system's trust store (here a CA file named by SSL_CERT_FILE) is honoured.
        monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
        trusted = generate(taxonomy, server, tmp_path / "o3", *simple)
        assert trusted.exit_code == 0, trusted.output
        assert server.stats.requests > 0

    mtls = certs.server_context(require_client_cert=True)
    with MockOpenAI([Rule("", reply)], ssl_context=mtls, api_key="sk-right") as server:
        client = ("--tls-client-cert", str(certs.client_cert), "--api-key", "sk-right")
        no_cert = generate(taxonomy, server, tmp_path / "o4", *simple, "--api-key", "sk-right")
        assert no_cert.exit_code != 0
        assert "Traceback" not in no_cert.output
        bad_password = generate(
            taxonomy,
            server,
            tmp_path / "o5",
            *simple,
            *client,
            "--tls-client-key",
            str(certs.encrypted_key),
            "--tls-client-passwd",
            "wrong",
        )
        assert bad_password.exit_code != 0
        assert f"{certs.client_cert}: cannot load the TLS client certificate" in bad_password.output
        assert server.stats.http_requests == 0
        ok = generate(
            taxonomy,
            server,
            tmp_path / "o6",
            *simple,
            *client,
            "--tls-client-key",
            str(certs.encrypted_key),
            "--tls-client-passwd",
            PASSWORD,
        )
        assert ok.exit_code == 0, ok.output
        assert server.stats.requests > 0
        wrong_key = generate(
            taxonomy,
            server,
            tmp_path / "o7",
            *simple,
            "--tls-client-cert",
            str(certs.client_cert),
            "--tls-client-key",
            str(certs.client_key),
            "--api-key",
            "sk-wrong",
        )
        assert wrong_key.exit_code != 0
        assert "401" in wrong_key.output


def test_detached_run_is_tracked_and_writes_its_output(taxonomy: Path, tmp_path: Path) -> None:
    import re
    import time

    from instructlab.system import jobs as processes

    out = tmp_path / "out"
    with MockOpenAI([Rule("", reply)], api_key="sk-secret") as server:
        started = generate(
            taxonomy, server, out, "--pipeline", "simple", "--api-key", "sk-secret", "-dt"
        )
        assert started.exit_code == 0, started.output
        found = re.search(r"in the background \(process (\w+)\)", started.output)
        assert found, started.output
        process_id = found.group(1)
        listed = CliRunner().invoke(cli, ["process", "list", "--format", "json"])
        assert listed.exit_code == 0, listed.output
        (record,) = [r for r in json.loads(listed.output) if r["id"] == process_id]
        assert record["kind"] == "data-generate"
        deadline = time.monotonic() + 180
        while processes.get(process_id).state == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        done = processes.get(process_id)
        log = Path(done.log_file).read_text(encoding="utf-8")
        assert done.state == "done", log
        assert server.stats.requests > 0
        # The API key reached the child, but never its command line or the process list.
        table = CliRunner().invoke(cli, ["process", "list"])
        assert "sk-secret" not in table.output + json.dumps(done.to_dict())
    assert f"{server.stats.requests} requests (0 retries" in log
    (skills,) = out.glob("skills_train_msgs_*.jsonl")
    assert f"skills mix: {skills}" in log
    assert _rows(skills)


def test_an_unknown_model_family_is_refused_before_any_request(
    taxonomy: Path, tmp_path: Path
) -> None:
    with MockOpenAI([Rule("", reply)]) as server:
        result = generate(taxonomy, server, tmp_path / "out", "--model-family", "nope")
        assert server.stats.http_requests == 0
    assert result.exit_code != 0
    assert "unknown model family 'nope'" in result.output and "granite" in result.output
    assert "Traceback" not in result.output
    known = generate(taxonomy, None, tmp_path / "out", "--model-family", "Mixtral", "--dry-run")
    assert known.exit_code == 0, known.output


def _outputs(out: Path) -> dict[str, str]:
    """Every JSONL file the run wrote, by name without the run's time stamp."""
    import re

    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d(_\d+)?")
    return {
        stamp.sub("RUN", str(f.relative_to(out))): f.read_text(encoding="utf-8")
        for f in sorted(out.rglob("*.jsonl"))
        if "runs" not in f.relative_to(out).parts
    }


def test_a_killed_run_continues_and_ends_as_an_uninterrupted_one(
    taxonomy: Path, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    def command(server: MockOpenAI, out: Path) -> list[str]:
        return [
            sys.executable,
            "-c",
            "from instructlab.cli.main import main; main()",
            "data",
            "generate",
            "--taxonomy-path",
            str(taxonomy),
            "--endpoint-url",
            server.base_url,
            "--output-dir",
            str(out),
            "--pipeline",
            "simple",
            "--sdg-scale-factor",
            "6",
            "--num-cpus",
            "4",
        ]

    with MockOpenAI([Rule("", reply)], latency=0.03) as server:
        whole = subprocess.run(command(server, tmp_path / "a"), capture_output=True, text=True)
        assert whole.returncode == 0, whole.stdout + whole.stderr
        total = server.stats.requests
    assert total >= 100

    with MockOpenAI([Rule("", reply)], latency=0.03) as server:
        proc = subprocess.Popen(
            command(server, tmp_path / "b"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while server.stats.completions < total // 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        answered = server.stats.completions
        assert 0.3 <= answered / total <= 0.7
        again = subprocess.run(command(server, tmp_path / "b"), capture_output=True, text=True)
        assert again.returncode == 0, again.stdout + again.stderr
        sent = server.stats.requests
    assert "Continued the unfinished run in" in again.stdout
    # Only the requests in flight at the kill (at most --num-cpus) were sent twice.
    assert total <= sent <= total + 4
    expected = _outputs(tmp_path / "a")
    assert len(expected) >= 8  # node data sets, mixes, the test set, legacy messages
    assert _outputs(tmp_path / "b") == expected
    assert len(list((tmp_path / "b" / "runs").iterdir())) == 1


def test_teacher_model_id_and_max_num_tokens_reach_the_requests(
    taxonomy: Path, tmp_path: Path
) -> None:
    seen: list[tuple[str, int]] = []

    def record(call: Call) -> str:
        seen.append((call.model, int(call.body.get("max_tokens", 0))))
        return reply(call)

    with MockOpenAI([Rule("", record)], models=["other-model"]) as server:
        result = generate(
            taxonomy,
            server,
            tmp_path / "out",
            *("--pipeline", "simple", "--teacher-model-id", "served-id"),
            *("--max-num-tokens", "77"),
        )
        assert result.exit_code == 0, result.output
        by_block = server.stats.by_rule
    assert by_block and seen
    assert {model for model, _ in seen} == {"served-id"}
    # As in InstructLab, --max-num-tokens bounds the knowledge answers (gen_knowledge).
    assert 77 in {tokens for _, tokens in seen}
    assert any(tokens != 77 for _, tokens in seen)


def full_reply(call: Call) -> str:
    """A teacher for every prompt of the ``full`` pipeline: judges say YES (or a passing score)
    four times in five, and NO (or a failing one) otherwise."""
    p = call.prompt
    h = hashlib.blake2b(f"{p}|{call.seed}|{call.choice}".encode(), digest_size=4).hexdigest()
    failing = int(h, 16) % 5 == 0

    def tagged(*pairs: tuple[str, str]) -> str:
        return "\n".join(f"[Start of {tag}]{text}[End of {tag}]" for tag, text in pairs)

    if "strict fact-checker" in p:
        return tagged(("Explanation", "checked"), ("Answer", "NO" if failing else "YES"))
    if "demanding reviewer" in p:
        return tagged(("Feedback", "fine"), ("Score", "0" if failing else "2"))
    if "exam editor" in p:
        return tagged(("Explanation", "clear"), ("Rating", "0" if failing else "1"))
    if "writes study material" in p:
        return "".join(
            f"[Question] question {h}-{k}? [Answer] answer {h}-{k}. [End]\n" for k in (1, 2)
        )
    if "multiple-choice" in p:
        return tagged(("Question", f"Which {h}?\nA) x\nB) y\nC) z\nD) w"), ("Answer", "A) x"))
    if "source material" in p:
        return tagged(("Context", f"A meeting {h}: Dana will send the budget by Friday."))
    if "invents realistic requests" in p:
        return "\n".join(tagged(("Question", f"request {h}-{k}?")) for k in range(3))
    if "reviewer who checks requests" in p:
        return tagged(("Evaluation", "ok"), ("Score", "0" if failing else "1"))
    if "strict grader" in p:
        return tagged(("Evaluation", "ok"), ("Score", "1" if failing else "2"))
    if "helpful, honest and careful" in p:
        return tagged(("Response", f"response {h}"))
    return f"A summary of the document, number {h}, with its facts restated."


def test_the_full_pipeline_yields_rows_for_every_leaf_kind(taxonomy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with MockOpenAI([Rule("", full_reply)]) as server:
        result = generate(taxonomy, server, out, "--pipeline", "full")
        assert server.stats.requests > 0
    assert result.exit_code == 0, result.output
    report = json.loads(next((out / "runs").glob("*/report.json")).read_text())
    rows = {leaf["leaf"]: leaf["rows_out"] for leaf in report["leaves"]}
    assert set(rows) == LEAVES | {"knowledge/science/ecology/pollinators/qna.yaml#mmlu_branch"}
    assert all(count > 0 for count in rows.values()), rows
    # The judges' NOs and low scores were dropped by the filters, and counted.
    dropped = " ".join(report["drops"])
    for block in ("filter_faithfulness", "filter_relevancy", "filter_questions", "filter_qa_pair"):
        assert block in dropped, report["drops"]
    (knowledge,) = out.glob("knowledge_train_msgs_*.jsonl")
    assert _rows(knowledge)
    (nodes,) = out.glob("node_datasets_*")
    mmlu = _rows(nodes / "mmlubench_knowledge_science_ecology_pollinators.jsonl")
    assert len(mmlu) == rows["knowledge/science/ecology/pollinators/qna.yaml#mmlu_branch"]
    assert (nodes / "knowledge_science_ecology_pollinators_task.yaml").is_file()


def test_unusable_multiple_choice_rows_fail_the_mmlu_branch_leaf(
    taxonomy: Path, tmp_path: Path
) -> None:
    def no_answer_letter(call: Call) -> str:
        text = full_reply(call)
        return text.replace("[Start of Answer]A)", "[Start of Answer]first")

    with MockOpenAI([Rule("", no_answer_letter)]) as server:
        result = generate(taxonomy, server, tmp_path / "out", "--pipeline", "full")
    assert result.exit_code == 1, result.output
    assert "knowledge/science/ecology/pollinators/qna.yaml#mmlu_branch" in result.output
    assert "lack four options A) to D)" in result.output


def test_a_run_with_failed_leaves_is_continued_by_the_same_command(
    taxonomy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    broken = [Rule("thank", ["-"], overflow=True), Rule("", reply)]
    with MockOpenAI(broken) as server:
        first = generate(taxonomy, server, out, "--pipeline", "simple")
        answered = server.stats.requests
    assert first.exit_code == 1, first.output
    assert "thank_you_notes" in first.output
    with MockOpenAI([Rule("", reply)]) as server:
        second = generate(taxonomy, server, out, "--pipeline", "simple")
        resent = server.stats.requests
        assert server.stats.by_rule["default"] == 0
    assert second.exit_code == 0, second.output
    assert "Continued the unfinished run in" in second.output
    assert len(list((out / "runs").iterdir())) == 1
    # Only the failed leaf's requests went out again; everything answered came from the cache.
    assert 0 < resent < answered
    (nodes,) = out.glob("node_datasets_*")
    assert (nodes / "compositional_skills_writing_freeform_thank_you_notes.jsonl").is_file()


def test_chunk_options_change_the_knowledge_seed_rows(taxonomy: Path, tmp_path: Path) -> None:
    def seed_rows(*extra: str) -> int:
        result = generate(
            taxonomy, None, tmp_path / "out", "--pipeline", "simple", "--dry-run", *extra
        )
        assert result.exit_code == 0, result.output
        (line,) = [
            line
            for line in result.output.splitlines()
            if "knowledge/science/ecology/pollinators/qna.yaml " in line
        ]
        return int(line.split("│")[2])

    default = seed_rows()
    smaller = seed_rows("--chunk-word-count", "40")
    capped = seed_rows("--server-ctx-size", "300")
    # Smaller chunks (asked for, or forced by a small teacher context) make more seed rows.
    assert smaller > default and capped > default


def test_the_model_comes_from_model_or_the_server(taxonomy: Path, tmp_path: Path) -> None:
    models: set[str] = set()

    def record(call: Call) -> str:
        models.add(call.model)
        return reply(call)

    with MockOpenAI([Rule("", record)], models=["listed-model", "second"]) as server:
        asked = generate(taxonomy, server, tmp_path / "a", "--pipeline", "simple")
        assert asked.exit_code == 0, asked.output
        assert models == {"listed-model"}  # the first model the server lists
        models.clear()
        named = generate(taxonomy, server, tmp_path / "b", "--pipeline", "simple", "--model", "x")
        assert named.exit_code == 0, named.output
        assert models == {"x"}


def test_quiet_prints_the_summary_and_errors_only(
    taxonomy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with MockOpenAI([Rule("", reply)]) as server:
        loud = generate(taxonomy, server, tmp_path / "a", "--pipeline", "simple")
        quiet = generate(taxonomy, server, tmp_path / "b", "--pipeline", "simple", "--quiet")
    assert loud.exit_code == 0 and quiet.exit_code == 0, loud.output + quiet.output
    assert "rows in" in loud.output and "gen_responses" in loud.output
    assert "rows in" not in quiet.output and "gen_responses" not in quiet.output
    rows = sum(len(_rows(f)) for f in (tmp_path / "b").glob("node_datasets_*/*.jsonl"))
    assert f"rows generated for {len(LEAVES)} leaves (0 dropped by filters, 0 skipped" in (
        quiet.output
    )
    assert "requests (0 retries, 0 errors, 0 throttled)" in quiet.output
    assert rows > 0 and "skills mix:" in quiet.output

    def faults_logged() -> int:
        return sum(r.name == "instructlab.sdg.faults" for r in caplog.records)

    empty_notes = [Rule("thank", [""]), Rule("", reply)]
    with MockOpenAI(empty_notes) as server:
        caplog.clear()
        loud_failed = generate(taxonomy, server, tmp_path / "c", *SIMPLE)
        assert loud_failed.exit_code == 1 and faults_logged() > 0
        caplog.clear()
        failed = generate(taxonomy, server, tmp_path / "d", *SIMPLE, "--quiet")
        # Each empty completion is counted in the summary, not logged row by row.
        assert faults_logged() == 0
    assert failed.exit_code == 1
    assert "leaf compositional_skills/writing/freeform/thank_you_notes/qna.yaml yielded no" in (
        failed.output
    )
    assert "rows in" not in failed.output
    assert ", 0 skipped on faults" not in failed.output


def test_batch_size_caps_requests_in_flight(taxonomy: Path, tmp_path: Path) -> None:
    simple = ("--pipeline", "simple")
    with MockOpenAI([Rule("", reply)], latency=0.02) as server:
        for out, extra, cap in (
            ("a", ("--batch-size", "3"), 3),
            ("b", ("--batch-size", "3", "--num-cpus", "2"), 2),
            ("c", ("--batch-size", "2", "--num-cpus", "5"), 2),
        ):
            server.stats.max_active_requests = 0
            result = generate(taxonomy, server, tmp_path / out, *simple, *extra)
            assert result.exit_code == 0, result.output
            assert server.stats.max_active_requests == cap, extra
        server.stats.max_active_requests = 0
        # 0 is InstructLab's "no batching": no cap from this option.
        free = generate(taxonomy, server, tmp_path / "d", *simple, "--batch-size", "0")
        assert free.exit_code == 0, free.output
        assert server.stats.max_active_requests > 3
    refused = generate(taxonomy, None, tmp_path / "e", "--batch-size", "-1", "--dry-run")
    assert refused.exit_code == 2 and "--batch-size" in refused.output


def test_yaml_rules_choose_how_the_leaves_are_linted(taxonomy: Path, tmp_path: Path) -> None:
    leaf = taxonomy / "compositional_skills/linguistics/synonyms/qna.yaml"
    leaf.write_text(leaf.read_text().replace("created_by:", "created_by:  "))
    strict = generate(taxonomy, None, tmp_path / "out", "--pipeline", "simple", "--dry-run")
    assert strict.exit_code != 0
    assert "compositional_skills/linguistics/synonyms/qna.yaml" in strict.output
    assert "Traceback" not in strict.output
    rules = tmp_path / "rules.yaml"
    rules.write_text("extends: relaxed\nrules:\n  line-length: disable\n  colons: disable\n")
    relaxed = generate(
        taxonomy, None, tmp_path / "out", "--pipeline", "simple", "--dry-run",
        "--yaml-rules", str(rules),
    )  # fmt: skip
    assert relaxed.exit_code == 0, relaxed.output
    assert "valid" in relaxed.output
    missing = generate(taxonomy, None, tmp_path / "out", "--yaml-rules", str(tmp_path / "no"))
    assert missing.exit_code == 2 and "--yaml-rules" in missing.output


def _write_config(path: Path, config: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump({"version": "1.0.0", **config}), encoding="utf-8")
    return path


def test_student_and_teacher_model_ids_come_from_the_models_list(
    taxonomy: Path, tmp_path: Path
) -> None:
    models = [
        {"id": "student", "path": "unused", "system_prompt": "You are STUDENT-PROMPT."},
        {"id": "teach", "path": "served-teacher", "family": "mixtral"},
    ]
    config = _write_config(tmp_path / "config.yaml", {"models": models})
    seen: set[str] = set()

    def record(call: Call) -> str:
        seen.add(call.model)
        return reply(call)

    out = tmp_path / "out"
    with MockOpenAI([Rule("", record)], models=["listed"]) as server:
        result = CliRunner().invoke(
            cli,
            [
                *("--config", str(config), "data", "generate", "--pipeline", "simple"),
                *("--taxonomy-path", str(taxonomy), "--output-dir", str(out)),
                *("--endpoint-url", server.base_url, "--sdg-scale-factor", "2"),
                *("--student-model-id", "student", "--teacher-model-id", "teach"),
            ],
        )
        assert result.exit_code == 0, result.output
    # The teacher entry's path is the model the endpoint is asked for.
    assert seen == {"served-teacher"}
    (skills,) = out.glob("skills_train_msgs_*.jsonl")
    systems = {m["content"] for r in _rows(skills) for m in r["messages"] if m["role"] == "system"}  # type: ignore[attr-defined,index]
    assert systems == {"You are STUDENT-PROMPT."}
    unknown = CliRunner().invoke(
        cli,
        [
            *("--config", str(config), "data", "generate", "--dry-run"),
            *("--taxonomy-path", str(taxonomy), "--student-model-id", "nobody"),
        ],
    )
    assert unknown.exit_code != 0
    assert unknown.exit_code == 2
    assert "--student-model-id: 'nobody'" in unknown.output and "student, teach" in unknown.output


def test_num_instructions_is_read_as_the_scale_factor_with_a_warning(
    taxonomy: Path, tmp_path: Path
) -> None:
    def sequences(*extra: str) -> str:
        args = ["data", "generate", "--taxonomy-path", str(taxonomy), "--dry-run", *extra]
        result = CliRunner().invoke(cli, [*args, "--pipeline", "simple"])
        assert result.exit_code == 0, result.output
        return result.output

    old = sequences("--num-instructions", "3")
    assert "--num-instructions is deprecated; use --sdg-scale-factor" in old
    new = sequences("--sdg-scale-factor", "3")
    estimate = [line for line in new.splitlines() if "generated sequences" in line]
    assert estimate and estimate[0] in old
    assert sequences("--sdg-scale-factor", "5") != new


def test_gpus_and_serving_output_reach_a_teacher_started_here(
    taxonomy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without --endpoint-url the teacher is started here; the server is stood in for by the
    mock (a real vLLM needs a GPU), so what reaches it can be checked."""
    import contextlib
    import logging
    import types
    from collections.abc import Iterator

    import instructlab.llm.running

    started: list[dict[str, object]] = []

    with MockOpenAI([Rule("", reply)]) as server:

        @contextlib.contextmanager
        def fake_server(model: object, **kwargs: object) -> Iterator[object]:
            started.append({"model": str(model), **kwargs})
            log_file = kwargs.get("log_file")
            if isinstance(log_file, Path):
                log_file.write_text("INFO fake teacher: listening\n", encoding="utf-8")
            yield types.SimpleNamespace(base_url=server.base_url, model_id="fake-teacher")

        monkeypatch.setattr(instructlab.llm.running, "running_server", fake_server)
        hf = tmp_path / "hf-model"
        hf.mkdir()
        (hf / "config.json").write_text("{}")
        (hf / "model.safetensors").write_bytes(b"")
        vllm = _write_config(tmp_path / "vllm.yaml", {"generate": {"teacher": {"backend": "vllm"}}})

        def run(config: Path | None, model: Path, *extra: str) -> Result:
            args = ["--config", str(config)] if config else []
            args += ["data", "generate", "--taxonomy-path", str(taxonomy), "--model", str(model)]
            args += ["--output-dir", str(tmp_path / f"out{len(started)}"), "--pipeline", "simple"]
            return CliRunner().invoke(cli, [*args, "--sdg-scale-factor", "2", *extra])

        on_vllm = run(vllm, hf, "--gpus", "2", "--enable-serving-output")
        assert on_vllm.exit_code == 0, on_vllm.output
        assert started[-1]["backend"] == "vllm" and started[-1]["gpus"] == 2
        assert "INFO fake teacher: listening" in on_vllm.output
        assert server.stats.requests > 0

        none = run(vllm, hf, "--gpus", "0")
        assert none.exit_code == 1 and "needs at least one GPU" in none.output
        assert "Traceback" not in none.output
        hidden = run(vllm, hf, "--gpus", "2")
        assert hidden.exit_code == 0, hidden.output
        assert "log_file" not in started[-1]
        assert "fake teacher" not in hidden.output

        gguf = tmp_path / "teacher.gguf"
        gguf.write_bytes(b"GGUF")
        with caplog.at_level(logging.WARNING, logger="instructlab.sdg"):
            on_llama = run(None, gguf, "--gpus", "2")
        assert on_llama.exit_code == 0, on_llama.output
        assert started[-1]["backend"] == "llama-cpp" and "gpus" not in started[-1]
        assert "--gpus) has no effect" in caplog.text and "llama-cpp backend" in caplog.text
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="instructlab.sdg"):
            given = generate(taxonomy, server, tmp_path / "given", "--gpus", "2", *SIMPLE)
        assert given.exit_code == 0, given.output
        assert "has no effect with an endpoint" in caplog.text
    assert len(started) == 3


def test_data_list_shows_each_runs_status(taxonomy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with MockOpenAI([Rule("thank", [""]), Rule("", reply)]) as server:
        failed = generate(taxonomy, server, out, *SIMPLE)
    assert failed.exit_code == 1, failed.output
    with MockOpenAI() as gone:
        url = gone.base_url
    # The teacher is gone: a run that stops on an error says so, and which.
    stopped = generate(taxonomy, None, out, *SIMPLE, "--new-run", "--endpoint-url", url)
    assert stopped.exit_code != 0
    listed = CliRunner().invoke(cli, ["data", "list", "--output-dir", str(out)])
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.output.splitlines() if line.startswith("│")]
    assert len(lines) == 2, listed.output  # the engine's runs/ folder is not a run
    leaf = "compositional_skills/writing/freeform/thank_you_notes/qna.yaml"
    assert f"failed: {leaf}" in lines[1]
    assert "failed: " in lines[0] and url.removesuffix("/v1") in lines[0]
    with MockOpenAI([Rule("", reply)]) as server:
        done = generate(taxonomy, server, out, *SIMPLE)  # continues the newest unfinished run
    assert done.exit_code == 0, done.output
    runs = Data(output_dir=out).list()
    assert sorted(r.status.state for r in runs) == ["done", "failed"]
    files = CliRunner().invoke(cli, ["data", "list", "--output-dir", str(out), "--files"])
    assert "done" in files.output and "skills_train_msgs_" in files.output
