from __future__ import annotations

import json

from instructlab import __version__
from instructlab.core import System


def test_info_reports_installation_and_hardware() -> None:
    info = System().info(use_torch=False)
    assert info.packages["instructlab"] == __version__
    assert info.native["version"] == __version__
    assert info.hardware.cpu_count >= 1
    assert info.hardware.memory_gib > 0
    assert info.config_exists is False
    json.dumps(info.as_dict())  # JSON-ready
