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


# -- No test vanishes unnoticed --------------------------------------------------------------
# A skip is allowed for tests marked `gpu` only: they skip on a machine without a CUDA device,
# and on a GPU machine may skip what its image lacks (vLLM, bitsandbytes). Any other skip (a
# stale importorskip guard, a fixture that gave up) fails the run, so ~30 end-to-end tests can
# never turn into skips without anyone seeing it.

_GPU_SKIP = "needs a CUDA device (marked gpu)"
_unexpected_skips: list[str] = []


def _cuda_present() -> bool:
    return Path("/dev/nvidia0").exists()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _cuda_present():
        return
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(pytest.mark.skip(reason=_GPU_SKIP))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    if "gpu" in report.keywords:
        return
    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
    _unexpected_skips.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected_skips:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("")
            reporter.write_line(
                f"FAILED: {len(_unexpected_skips)} test(s) skipped that this machine can run "
                "(only `gpu` tests may skip, where there is no CUDA device):",
                red=True,
            )
            for line in _unexpected_skips:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
