from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from instructlab.cli.main import cli


def _init(tmp_path: Path) -> Path:
    path = tmp_path / "taxonomy"
    result = CliRunner().invoke(cli, ["taxonomy", "init", "--taxonomy-path", str(path)])
    assert result.exit_code == 0, result.output
    assert "Created the taxonomy" in result.output
    return path


def test_diff_lists_leaves_then_problems_then_summary(tmp_path: Path) -> None:
    path = _init(tmp_path)
    args = ["taxonomy", "diff", "--taxonomy-path", str(path), "--skip-documents"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5
    assert lines[-1] == "4 changed leaves, all valid"
    leaf = path / "compositional_skills/linguistics/synonyms/qna.yaml"
    leaf.write_text(leaf.read_text() + "extra: 1\n")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert (
        "compositional_skills/linguistics/synonyms/qna.yaml:30:1 [.extra] unknown key 'extra'"
        in result.output
    )
    assert result.output.splitlines()[-1].startswith("4 changed leaves: 1 invalid, 1 error")
    quiet = CliRunner().invoke(cli, [*args, "--quiet"])
    assert len(quiet.output.splitlines()) == 1
    github = CliRunner().invoke(cli, [*args, "--quiet", "--format", "github"])
    assert github.output.startswith(
        "::error file=compositional_skills/linguistics/synonyms/qna.yaml,line=30,col=1::"
    )
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    assert data["valid"] is False
    assert data["problems"][0]["yaml_path"] == ".extra"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    path = _init(tmp_path)
    result = CliRunner().invoke(
        cli, ["taxonomy", "diff", "--taxonomy-path", str(path), "--taxonomy-base", "nope"]
    )
    assert result.exit_code == 2
    assert "--taxonomy-base=empty" in result.output


def test_config_init_seeds_the_taxonomy_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["config", "init", "--non-interactive"])
    assert result.exit_code == 0, result.output
    assert "Created the taxonomy" in result.output
    again = CliRunner().invoke(cli, ["config", "init", "--non-interactive"])
    assert again.exit_code == 0, again.output
    assert "Created the taxonomy" not in again.output
