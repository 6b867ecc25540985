"""`Data.generate_data` and instructlab-sdg's `generate_data` entry point against the mock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.core import Data
from instructlab.sdg.testing import MockOpenAI, Rule

pytest.importorskip("instructlab.sdg.seeds", reason="needs the SDG data issue (seeds, mixing)")

LEAVES = 4


def _reply(call: object) -> str:
    return "Question: a question?\n\nAnswer: " + str(getattr(call, "seed", ""))


@pytest.fixture
def taxonomy(tmp_path: Path) -> Path:
    path = tmp_path / "taxonomy"
    result = CliRunner().invoke(cli, ["taxonomy", "init", "--taxonomy-path", str(path)])
    assert result.exit_code == 0, result.output
    return path


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
    openai = pytest.importorskip("openai", reason="the dev extra brings openai")
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
