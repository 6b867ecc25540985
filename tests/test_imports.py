"""Importing the SDK and asking for help must not load the ML stack, and must be quick."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "vllm", "datasets", "openai", "numpy", "llama_cpp")

_PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def _loaded_after(body: str) -> list[str]:
    code = _PROBE.format(body=body, heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_import_instructlab_core_loads_no_ml_stack() -> None:
    assert _loaded_after("import instructlab, instructlab.core") == []


def test_ilab_help_loads_no_ml_stack() -> None:
    body = (
        "from instructlab.cli.main import cli\n"
        "for args in (['--help'], ['data', 'generate', '--help'], ['model', 'train', '--help']):\n"
        "    try:\n"
        "        cli.main(args, prog_name='ilab')\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    assert _loaded_after(body) == []


def test_fake_heavy_module_would_be_detected() -> None:
    # Guards the probe itself: a module that is loaded must be reported.
    assert _loaded_after("import json as _; sys.modules['torch'] = _") == ["torch"]
