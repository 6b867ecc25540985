"""`Data.generate_data` and instructlab-sdg's `generate_data` entry point against the mock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructlab.core import Data
from instructlab.testing import MockOpenAI, Rule

LEAVES = 4


def _reply(call: object) -> str:
    return "Question: a question?\n\nAnswer: " + str(getattr(call, "seed", ""))


def test_sdk_generate_data_runs_and_dry_runs(taxonomy: Path, tmp_path: Path) -> None:
    sdk = Data(taxonomy, output_dir=tmp_path / "out")
    with MockOpenAI([Rule("", _reply)]) as server:
        dry = sdk.generate_data("simple", server.base_url, 2, dry_run=True)
        assert server.stats.http_requests == 0
        result = sdk.generate_data("simple", server.base_url, 2)
        sent = server.stats.requests
    assert dry.run_dir is None and dry.estimate is not None
    assert dry.estimate.leaves == LEAVES
    # The estimate is an upper bound of what the run sent.
    assert 0 < sent <= dry.estimate.requests
    assert result.ok and result.run_dir is not None
    assert result.report.requests == sent
    assert len(result.report.leaves) == LEAVES
    assert Path(result.outputs.skills_mix).is_file()


def test_instructlab_sdg_entry_point_takes_an_openai_client(taxonomy: Path, tmp_path: Path) -> None:
    import openai

    from instructlab.sdg import GenerateException, generate_data

    with MockOpenAI([Rule("", _reply)], api_key="sk-test", models=["served"]) as server:
        result = generate_data(
            client=openai.OpenAI(base_url=server.base_url, api_key="sk-test"),
            taxonomy=taxonomy,
            taxonomy_base="origin/main",
            output_dir=tmp_path / "out",
            pipeline="simple",
            num_instructions_to_generate=2,
            num_cpus=2,
        )
        assert server.stats.requests > 0
        assert server.stats.max_active_requests <= 2
    assert result.ok
    records = [
        json.loads(line) for line in Path(result.outputs.legacy_messages).read_text().splitlines()
    ]
    assert records and all(r["messages"] for r in records)
    with pytest.raises(GenerateException, match="needs a taxonomy"):
        generate_data(client="http://127.0.0.1:9/v1")


def test_a_detached_run_uses_a_config_object_built_in_code(taxonomy: Path, tmp_path: Path) -> None:
    import stat
    import time

    from instructlab.config import Config
    from instructlab.system import jobs as processes

    config = Config()
    config.generate.taxonomy_path = str(taxonomy)
    config.generate.output_dir = str(tmp_path / "from-config")
    config.generate.pipeline = "simple"
    config.generate.sdg_scale_factor = 2
    config.generate.num_cpus = 2
    config.generate.system_prompt = "You are CONFIGURED-IN-CODE."
    with MockOpenAI([Rule("", _reply)], latency=0.01) as server:
        record = Data(configuration=config).generate_data(
            endpoint_url=server.base_url, detached=True, quiet=True
        )
        deadline = time.monotonic() + 180
        while processes.get(record.id).state == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        done = processes.get(record.id)
        log = Path(done.log_file).read_text(encoding="utf-8")
        assert done.state == "done", log
        assert server.stats.requests > 0
        # Every setting of the object reached the background run: the cap on requests in flight,
        assert server.stats.max_active_requests <= 2
    # the output folder, the pipeline, and the system prompt of the data.
    (skills,) = (tmp_path / "from-config").glob("skills_train_msgs_*.jsonl")
    records = [json.loads(line) for line in skills.read_text().splitlines()]
    assert records
    systems = {m["content"] for r in records for m in r["messages"] if m["role"] == "system"}
    assert systems == {"You are CONFIGURED-IN-CODE."}
    meta = json.loads(next((tmp_path / "from-config" / "runs").glob("*/run.json")).read_text())
    assert meta["pipeline"].endswith("simple")
    # The file that carried it is private to the user: it may hold an API key.
    config_file = Path(done.extra["config_file"])
    assert config_file.is_file()
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert f"--config {config_file}" in " ".join(done.command)
    # --quiet reached it too: the summary, not the per-block table.
    assert "--quiet" in done.command
    assert "rows generated for" in log and "rows in" not in log
