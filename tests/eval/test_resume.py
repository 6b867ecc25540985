"""A killed evaluation started again re-sends no request that was answered and recorded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from eval.skills_mock import judge_reply, model_reply
from instructlab.config import Config
from instructlab.core import Model
from instructlab.llm.cache import request_digest
from instructlab.testing import Call, MockOpenAI, Rule

TESTS = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys
sys.path.insert(0, {tests!r})
from instructlab.config import Config
from instructlab.core import Model
args = json.loads(sys.argv[1])
Model(configuration=Config()).evaluate_mt_bench("mock-model", **args)
"""


class Recorder:
    """The mock's replies, recorded by request digest; kills the child at the Nth reply."""

    def __init__(self) -> None:
        self.digests: list[str] = []
        self.kill_at: int | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def reply(self, call: Call) -> str:
        with self.lock:
            self.digests.append(request_digest("chat", call.body))
            if self.kill_at is not None and len(self.digests) == self.kill_at and self.child:
                os.kill(self.child.pid, signal.SIGKILL)
        return judge_reply(call) if "strict test judge" in call.prompt else model_reply(call)


def test_kill_and_resume_resends_no_finished_request(mt_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    recorder = Recorder()
    with MockOpenAI([Rule("", recorder.reply)], capacity=2, seq_time=0.05) as mock:
        args = {
            "mt_bench_data": str(mt_data),
            "output_dir": str(out),
            "endpoint_url": mock.base_url,
            "judge_endpoint_url": mock.base_url,
            "judge_model": "mock-judge",
        }
        recorder.kill_at = 7
        recorder.child = subprocess.Popen(
            [sys.executable, "-c", CHILD.format(tests=str(TESTS)), json.dumps(args)]
        )
        assert recorder.child.wait(timeout=120) == -signal.SIGKILL
        cache = out / "requests.jsonl"
        recorded = {
            json.loads(line)["k"].split("|", 1)[0]
            for line in cache.read_text().splitlines()
            if line.strip().endswith("}")
        }
        assert 0 < len(recorded) < 16
        deadline = time.monotonic() + 30  # the dead child's requests still in the mock end
        while mock.stats.completions < mock.stats.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        before = len(recorder.digests)
        recorder.kill_at = None
        result = Model(configuration=Config()).evaluate_mt_bench("mock-model", **args)
    resent = recorder.digests[before:]
    assert not set(resent) & recorded, "a request answered before the kill was sent again"
    assert result.requests_cached == len(recorded)
    assert result.requests_sent == len(resent) == 16 - len(recorded)
    assert result.errors == 0 and result.judgments == 8
