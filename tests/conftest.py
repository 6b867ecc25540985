"""Every test runs with its own empty config, data and cache directories; shared fixtures."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    for var in ("ILAB_CONFIG_DIR", "ILAB_DATA_DIR", "ILAB_CACHE_DIR", "ILAB_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def taxonomy(tmp_path: Path) -> Path:
    """The bundled example taxonomy in a new git repository, made by `ilab taxonomy init`: every
    leaf counts as changed against its `main` base."""
    from click.testing import CliRunner

    from instructlab.cli.main import cli

    path = tmp_path / "taxonomy"
    result = CliRunner().invoke(cli, ["taxonomy", "init", "--taxonomy-path", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def sigint_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt during the test, as in an interactive run. A process that
    a non-interactive shell starts in the background inherits SIGINT as ignored, and Python then
    leaves it ignored, so tests that send themselves SIGINT would see nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
