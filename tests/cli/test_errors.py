"""The CLI's error boundary: one line and an exit code for every failure, bugs said as bugs."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.core import System
from instructlab.errors import UsageError


def _failing(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    def boom(self: object, use_torch: bool = True) -> None:
        raise error

    monkeypatch.setattr(System, "info", boom)


def test_an_unexpected_error_is_one_line_saying_it_is_a_bug(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> None:
    _failing(monkeypatch, ZeroDivisionError("division by zero\nsecond line"))
    result = CliRunner().invoke(cli, ["system", "info"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1, result.output
    assert "this is a bug in ilab (ZeroDivisionError: division by zero)" in lines[0]
    assert "Traceback" not in result.output
    (log,) = (isolated_dirs / ".local/share/instructlab/logs").glob("ilab-bug-*.log")
    assert str(log) in lines[0]
    assert "ZeroDivisionError" in log.read_text() and "Traceback" in log.read_text()
    verbose = CliRunner().invoke(cli, ["-v", "system", "info"])
    assert "Traceback" in verbose.output and "this is a bug" in verbose.output


def test_an_os_error_naming_a_file_becomes_a_file_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _failing(monkeypatch, PermissionError(errno.EACCES, "Permission denied", "/srv/x.yaml"))
    result = CliRunner().invoke(cli, ["system", "info"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: /srv/x.yaml: permission denied: cannot read it"


def test_a_usage_error_names_the_option_that_sets_the_argument(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _failing(monkeypatch, UsageError("use_torch: not today", "use_torch"))
    result = CliRunner().invoke(cli, ["system", "info"])
    assert result.exit_code == 2
    assert result.output.strip() == "Error: use_torch: not today"  # no option sets it
    from instructlab.core import Data

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise UsageError("num_perm: must be at least 1, got 0", "num_perm")

    monkeypatch.setattr(Data, "dedup", refuse)
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "a"}\n')
    result = CliRunner().invoke(cli, ["data", "dedup", str(rows)])
    assert result.exit_code == 2
    assert result.output.strip() == "Error: --num-perm: must be at least 1, got 0"


@pytest.mark.parametrize(
    ("error", "code", "says"),
    [(KeyboardInterrupt(), 130, "Interrupted."), (MemoryError(), 1, "out of memory")],
)
def test_interrupts_and_memory(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, code: int, says: str
) -> None:
    _failing(monkeypatch, error)
    result = CliRunner().invoke(cli, ["system", "info"])
    assert result.exit_code == code
    assert says in result.output
