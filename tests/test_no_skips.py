"""The guard in tests/conftest.py: a skip fails the run unless it is a `gpu` test without CUDA."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    gpu: needs CUDA\n")
    (tmp_path / "test_probe.py").write_text("import pytest\n\n" + body)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


def test_an_unexpected_skip_fails_the_run(tmp_path: Path) -> None:
    done = _run(tmp_path, "def test_a():\n    pytest.skip('the extra is missing')\n")
    assert done.returncode == 1, done.stdout
    assert "skipped that this machine can run" in done.stdout
    assert "the extra is missing" in done.stdout


def test_a_gpu_test_may_skip_without_cuda(tmp_path: Path) -> None:
    done = _run(tmp_path, "@pytest.mark.gpu\ndef test_a():\n    pass\n\ndef test_b():\n    pass\n")
    if Path("/dev/nvidia0").exists():
        assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout
    else:
        assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout


def test_a_gpu_test_may_skip_what_the_gpu_machine_lacks(tmp_path: Path) -> None:
    body = "@pytest.mark.gpu\ndef test_a():\n    pytest.skip('no vllm here')\n"
    done = _run(tmp_path, body)
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout
