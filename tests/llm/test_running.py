"""The real embedded model behind our batched llama.cpp server, started by ``running_server``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from typing import Any

import pytest

from instructlab.config.model import EMBEDDED_MODEL
from instructlab.errors import ServerError
from instructlab.llm.running import running_server
from instructlab.system.jobs import pid_alive, wait_exit

pytestmark = pytest.mark.slow


def _post(base_url: str, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    request = urllib.request.Request(base_url + path, data=json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def server():
    with running_server(EMBEDDED_MODEL, ctx_size=1024, api_key="k") as running:
        yield running
    assert wait_exit(running.process.pid, 1.0), "the server outlived its with block"


QUESTION = [{"role": "user", "content": "Write one sentence about the sea."}]


def test_models_reports_the_embedded_model(server) -> None:
    request = urllib.request.Request(server.base_url + "/models")
    request.add_header("Authorization", "Bearer k")
    with urllib.request.urlopen(request, timeout=10) as response:
        payload = json.load(response)
    assert [m["id"] for m in payload["data"]] == [server.model_id] == ["smollm2-135m-instruct"]
    assert server.base_url.startswith("http://127.0.0.1:")


def test_n_2_gives_two_different_answers(server) -> None:
    body = {"messages": QUESTION, "n": 2, "max_tokens": 40, "temperature": 1.0, "seed": 7}
    payload = _post(server.base_url, "/chat/completions", body, "k")
    answers = [c["message"]["content"] for c in payload["choices"]]
    assert len(answers) == 2
    assert all(a.strip() for a in answers)
    assert answers[0] != answers[1]
    assert payload["usage"]["completion_tokens"] > 2


def test_greedy_answers_are_reproducible_and_max_tokens_is_honoured(server) -> None:
    body = {"messages": QUESTION, "max_tokens": 6, "temperature": 0}
    first = _post(server.base_url, "/chat/completions", body, "k")
    second = _post(server.base_url, "/chat/completions", body, "k")
    assert first["choices"][0]["message"] == second["choices"][0]["message"]
    assert first["choices"][0]["finish_reason"] == "length"
    assert first["usage"]["completion_tokens"] == 6


def test_a_completion_streams_in_several_chunks(server) -> None:
    body = {"messages": QUESTION, "max_tokens": 24, "stream": True}
    request = urllib.request.Request(
        server.base_url + "/chat/completions", data=json.dumps(body).encode()
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Bearer k")
    events = []
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        for raw in response:
            line = raw.decode().strip()
            if line.startswith("data: "):
                events.append(line[6:])
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    texts = [c["choices"][0]["delta"].get("content") for c in chunks]
    assert len([t for t in texts if t]) > 3
    assert "".join(t for t in texts if t).strip()
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")


def test_eight_requests_at_once_all_succeed(server) -> None:
    results: list[Any] = [None] * 8
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        body = {
            "messages": [{"role": "user", "content": f"Name a colour. ({i})"}],
            "max_tokens": 16,
        }
        try:
            results[i] = _post(server.base_url, "/chat/completions", body, "k")
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(r["choices"][0]["message"]["content"].strip() for r in results)


def test_completions_endpoint_and_stop_strings(server) -> None:
    body = {"prompt": "1, 2, 3, 4,", "max_tokens": 20, "temperature": 0, "stop": ["7"]}
    payload = _post(server.base_url, "/completions", body, "k")
    choice = payload["choices"][0]
    assert "7" not in choice["text"]
    assert choice["finish_reason"] in ("stop", "length")


def test_the_server_is_gone_when_the_client_is_killed_mid_request(tmp_path) -> None:
    script = textwrap.dedent(
        f"""
        import json, sys, urllib.request
        from instructlab.llm.running import running_server
        with running_server({EMBEDDED_MODEL!r}, ctx_size=512) as s:
            print(s.process.pid, flush=True)
            body = {{"prompt": "Once upon a time", "max_tokens": 400}}
            request = urllib.request.Request(
                s.base_url + "/completions", data=json.dumps(body).encode()
            )
            request.add_header("Content-Type", "application/json")
            urllib.request.urlopen(request, timeout=600).read()
        """
    )
    client = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env=dict(os.environ)
    )
    assert client.stdout is not None
    line = client.stdout.readline()
    server_pid = int(line)
    assert pid_alive(server_pid)
    time.sleep(1.0)  # the request is in flight
    client.send_signal(signal.SIGKILL)
    client.wait()
    client.stdout.close()
    assert wait_exit(server_pid, 15), f"server {server_pid} outlived its killed client"


def test_a_server_that_dies_while_starting_reports_its_log(tmp_path) -> None:
    bogus = tmp_path / "broken.gguf"
    bogus.write_bytes(b"GGUF" + b"\x03\x00\x00\x00 but nothing a GGUF file holds after that")
    with pytest.raises(ServerError) as caught, running_server(bogus, startup_timeout=60):
        pass
    message = str(caught.value)
    assert "exited with code 1" in message
    assert "could not load" in message


def test_a_shown_log_reaches_stderr_as_written_and_is_removed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from instructlab.llm.running import shown_log

    with shown_log("ilab-test-") as path:
        assert path.name.startswith("ilab-test-") and path.exists()
        with path.open("a", encoding="utf-8") as log:
            log.write("loading weights\n")
            log.flush()
            deadline = time.monotonic() + 5
            while "loading weights" not in capfd.readouterr().err:
                assert time.monotonic() < deadline, "the log line never reached stderr"
                time.sleep(0.05)
            log.write("listening\n")
    assert "listening" in capfd.readouterr().err
    assert not path.exists()
