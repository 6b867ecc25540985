from __future__ import annotations

import json

from click.testing import CliRunner

from instructlab import __version__
from instructlab.cli.main import cli


def test_info_text_names_the_essentials() -> None:
    result = CliRunner().invoke(cli, ["system", "info"])
    assert result.exit_code == 0, result.output
    for label in ("Platform", "Python", "CPU", "Memory", "GPUs", "Native core", "instructlab"):
        assert label in result.output


def test_info_json() -> None:
    result = CliRunner().invoke(cli, ["system", "info", "--format", "json"])
    facts = json.loads(result.output)
    assert facts["packages"]["instructlab"] == __version__
    assert facts["native"]["version"] == __version__
