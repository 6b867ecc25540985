from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab import __version__
from instructlab.cli.main import cli


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"ilab, version {__version__}\n"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2


def test_bad_option_value_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["system", "info", "--format", "xml"])
    assert result.exit_code == 2


def test_help_shows_defaults_from_the_users_config(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("version: 1.0.0\ngenerate:\n  taxonomy_base: upstream/dev\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "taxonomy", "diff", "--help"])
    assert result.exit_code == 0
    assert "[default: upstream/dev]" in " ".join(result.output.split())


def test_precedence_flag_then_env_then_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("version: 1.0.0\ngenerate:\n  taxonomy_base: from-config\n")
    base = ["--config", str(config), "taxonomy", "diff", "--help"]
    assert "[default: from-config]" in " ".join(CliRunner().invoke(cli, base).output.split())
    # An env var beats the config (click shows it as the value in effect for the option).
    monkeypatch.setenv("ILAB_TAXONOMY_DIFF_TAXONOMY_BASE", "from-env")
    from instructlab.cli import taxonomy

    captured: dict[str, object] = {}

    def fake_validate(self, **_options: object):  # type: ignore[no-untyped-def]
        from instructlab.taxonomy import ValidationReport

        captured["base"] = self.base
        return ValidationReport(root=tmp_path, base=self.base, checked=(), leaves=())

    monkeypatch.setattr("instructlab.core.Taxonomy.validate", fake_validate)
    run = ["--config", str(config), "taxonomy", "diff"]
    assert CliRunner().invoke(cli, run).exit_code == 0
    assert captured["base"] == "from-env"
    assert CliRunner().invoke(cli, [*run, "--taxonomy-base", "from-flag"]).exit_code == 0
    assert captured["base"] == "from-flag"
    monkeypatch.delenv("ILAB_TAXONOMY_DIFF_TAXONOMY_BASE")
    assert CliRunner().invoke(cli, run).exit_code == 0
    assert captured["base"] == "from-config"
    assert taxonomy.diff is not None


def test_config_warnings_are_printed_and_the_command_runs(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("version: 1.0.0\ngenrate: {}\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "show", "-k", "version"])
    assert result.exit_code == 0
    assert "Warning: " in result.output
    assert "[genrate] unknown key; did you mean 'generate'?" in result.output


def test_broken_config_fails_other_commands_with_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("version: 1.0.0\ntrain:\n  num_epochs: x\n  max_seq_len: y\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "system", "info"])
    assert result.exit_code == 1
    assert "has 2 problems" in result.output
    assert f"{config}:3:15 [train.num_epochs]" in result.output
    assert f"{config}:4:16 [train.max_seq_len]" in result.output
    assert "Traceback" not in result.output


def test_missing_explicit_config_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.yaml"), "system", "info"])
    assert result.exit_code == 1
    assert "no such configuration file" in result.output


def test_console_script_runs() -> None:
    ilab = Path(sys.executable).parent / "ilab"
    assert ilab.exists(), "the ilab console script is not installed beside this Python"
    done = subprocess.run([str(ilab), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert __version__ in done.stdout


def test_taxonomy_diff_with_path_and_base_reads_no_configuration(tmp_path: Path) -> None:
    from instructlab.config import paths

    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text("version: 1.0.0\ntrain:\n  num_epochs: x\n")
    tree = tmp_path / "tree"
    (tree / "knowledge").mkdir(parents=True)
    given = ["taxonomy", "diff", "--taxonomy-path", str(tree), "--taxonomy-base=empty"]
    result = CliRunner().invoke(cli, given)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "0 leaves, all valid"
    # Without either option the (broken) configuration is needed, read, and reported.
    result = CliRunner().invoke(cli, given[:-1])
    assert result.exit_code == 1
    assert "[train.num_epochs]" in result.output
    # An explicitly named configuration is always read.
    result = CliRunner().invoke(cli, ["--config", str(paths.config_file()), *given])
    assert result.exit_code == 1
    assert "[train.num_epochs]" in result.output
