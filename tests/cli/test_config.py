from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.config import load_config, paths


def test_init_non_interactive_writes_config_and_directories() -> None:
    result = CliRunner().invoke(cli, ["config", "init", "--non-interactive"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {paths.config_file()}" in result.output
    assert paths.datasets_dir().is_dir()
    assert load_config().warnings == []


def test_init_to_a_new_explicit_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "mine.yaml"
    result = CliRunner().invoke(
        cli, ["--config", str(target), "config", "init", "--non-interactive"]
    )
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_init_interactive_asks_and_uses_the_answers(tmp_path: Path) -> None:
    answers = f"{tmp_path / 'tax'}\n{tmp_path / 'model.gguf'}\n"
    result = CliRunner().invoke(cli, ["config", "init"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Taxonomy repository" in result.output
    cfg = load_config().config
    assert cfg.generate.taxonomy_path == str(tmp_path / "tax")
    assert cfg.serve.model_path == str(tmp_path / "model.gguf")


def test_init_interactive_keeps_an_existing_file_when_told_no() -> None:
    assert CliRunner().invoke(cli, ["config", "init", "--non-interactive"]).exit_code == 0
    before = paths.config_file().read_text()
    result = CliRunner().invoke(cli, ["config", "init"], input="n\n")
    assert result.exit_code == 1
    assert paths.config_file().read_text() == before


def test_show_whole_and_one_key() -> None:
    whole = CliRunner().invoke(cli, ["config", "show"])
    assert whole.exit_code == 0
    assert "# Synthetic data generation." in whole.output
    one = CliRunner().invoke(cli, ["config", "show", "-k", "generate.taxonomy_base"])
    assert one.output == "origin/main\n"
    bad = CliRunner().invoke(cli, ["config", "show", "-k", "generate.nope"])
    assert bad.exit_code == 2
    assert "'generate.nope' is not a configuration key" in bad.output


def _editor(tmp_path: Path, body: str) -> str:
    """A fake $EDITOR: a script that rewrites the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\nfrom pathlib import Path\np = Path(sys.argv[1])\n{body}\n")
    wrapper = tmp_path / "editor.sh"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return str(wrapper)


def test_edit_revalidates_on_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(cli, ["config", "init", "--non-interactive"]).exit_code == 0
    editor = _editor(
        tmp_path, "p.write_text(p.read_text().replace('num_epochs: 1', 'num_epochs: 4'))"
    )
    monkeypatch.setenv("EDITOR", editor)
    result = CliRunner().invoke(cli, ["config", "edit"])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output
    assert load_config().config.train.num_epochs == 4


def test_edit_reports_problems_and_offers_another_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(cli, ["config", "init", "--non-interactive"]).exit_code == 0
    editor = _editor(
        tmp_path, "p.write_text(p.read_text().replace('num_epochs: 1', 'num_epochs: x'))"
    )
    monkeypatch.setenv("EDITOR", editor)
    result = CliRunner().invoke(cli, ["config", "edit"], input="n\n")
    assert result.exit_code == 1
    assert "[train.num_epochs]" in result.output
    assert "Edit again?" in result.output


def test_edit_without_a_file_says_how_to_create_one() -> None:
    result = CliRunner().invoke(cli, ["config", "edit"])
    assert result.exit_code == 1
    assert "ilab config init" in result.output
