"""`Data.generate_data` and instructlab-sdg's `generate_data` entry point against the mock."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from instructlab.core import (
    Data,
    GenerateOptions,
    ShardFinished,
    ShardStarted,
    TeacherProgress,
)
from instructlab.errors import UsageError
from instructlab.testing import MockOpenAI, Rule

LEAVES = 4


def _reply(call: object) -> str:
    return "Question: a question?\n\nAnswer: " + str(getattr(call, "seed", ""))


def test_sdk_generate_data_runs_and_dry_runs(taxonomy: Path, tmp_path: Path) -> None:
    sdk = Data(taxonomy, output_dir=tmp_path / "out")
    with MockOpenAI([Rule("", _reply)]) as server:
        options = GenerateOptions(
            pipeline="simple", endpoint_url=server.base_url, sdg_scale_factor=2
        )
        dry = sdk.generate_data(replace(options, dry_run=True))
        assert server.stats.http_requests == 0
        events: list[object] = []
        result = sdk.generate_data(options, on_event=events.append)
        sent = server.stats.requests
    assert dry.run_dir is None and dry.estimate is not None
    assert dry.estimate.leaves == LEAVES
    # The estimate is an upper bound of what the run sent.
    assert 0 < sent <= dry.estimate.requests
    assert result.ok and result.run_dir is not None
    assert result.report.requests == sent
    assert len(result.report.leaves) == LEAVES
    assert result.outputs is not None and Path(str(result.outputs.skills_mix)).is_file()
    # The listener heard every shard start and finish, then the teacher's final counters.
    assert len([e for e in events if isinstance(e, ShardStarted)]) == LEAVES
    assert len([e for e in events if isinstance(e, ShardFinished)]) == LEAVES
    final = events[-1]
    assert isinstance(final, TeacherProgress) and final.final
    assert final.teacher.requests == sent


def test_the_options_are_checked_before_anything_runs(taxonomy: Path, tmp_path: Path) -> None:
    sdk = Data(taxonomy, output_dir=tmp_path / "out")
    with pytest.raises(UsageError) as bad:
        sdk.generate_data(GenerateOptions(num_cpus=0, batch_size=-1, dry_run=True))
    assert bad.value.param == "num_cpus"
    assert str(bad.value) == (
        "num_cpus: must be at least 1, got 0; batch_size: must be at least 0, got -1"
    )
    with pytest.raises(UsageError, match="sdg_scale_factor: expected a whole number"):
        sdk.generate_data(GenerateOptions(sdg_scale_factor="2", dry_run=True))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="endpoint_url"):
        sdk.generate_data(GenerateOptions(endpoint_url="ftp://x/v1"))
    # A path given as text is read as a path.
    dry = sdk.generate_data(
        GenerateOptions(taxonomy_path=str(taxonomy), pipeline="simple", dry_run=True)  # type: ignore[arg-type]
    )
    assert dry.estimate is not None and dry.estimate.leaves == LEAVES


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
            GenerateOptions(endpoint_url=server.base_url, quiet=True, api_key="sk-none"),
            detached=True,
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
    # The options reached it as data, not as flags: a file, private too, without the secret.
    options_file = Path(done.extra["options_file"])
    assert done.command[-2:] == ["--options-file", str(options_file)]
    assert stat.S_IMODE(options_file.stat().st_mode) == 0o600
    assert json.loads(options_file.read_text()) == {
        "endpoint_url": server.base_url,
        "dry_run": False,
        "enable_serving_output": False,
        "new_run": False,
        "quiet": True,
        "tls_insecure": False,
    }
    # quiet reached it: the summary, not the per-block table.
    assert "rows generated for" in log and "rows in" not in log
