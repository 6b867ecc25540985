"""``ilab model serve``: options from the config, and a detached server tracked as a process."""

from __future__ import annotations

import json
import urllib.request

import pytest
from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.config import Config
from instructlab.core import Model, System
from instructlab.errors import UsageError
from instructlab.serve.serving import options_from_config, parse_host_port
from instructlab.system.jobs import pid_alive


@pytest.mark.parametrize(
    ("value", "expected"),
    [("127.0.0.1:8000", ("127.0.0.1", 8000)), ("[::1]:9", ("::1", 9)), (":0", ("127.0.0.1", 0))],
)
def test_host_port(value, expected) -> None:
    assert parse_host_port(value) == expected


@pytest.mark.parametrize("value", ["localhost", "host:port", "h:70000"])
def test_bad_host_port_is_a_usage_error(value) -> None:
    with pytest.raises(UsageError, match="host_port"):
        parse_host_port(value)


def test_options_come_from_the_serve_section_with_overrides(tmp_path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    config = Config()
    config.serve.model_path = str(gguf)
    config.serve.host_port = "127.0.0.1:9123"
    config.serve.llama_cpp.max_ctx_size = 1024
    config.serve.llama_cpp.gpu_layers = 0
    config.serve.api_key = "from-config"
    options = options_from_config(config.serve)
    assert (options.backend, options.model_id, options.port) == ("llama-cpp", "m", 9123)
    assert (options.ctx_size, options.gpu_layers, options.api_key) == (1024, 0, "from-config")
    options = options_from_config(config.serve, max_ctx_size=256, api_key="", host_port=":0")
    assert (options.ctx_size, options.api_key, options.port) == (256, "", 0)


@pytest.mark.slow
def test_detached_server_is_tracked_and_stopped() -> None:
    server = Model().serve(host_port="127.0.0.1:0", max_ctx_size=512, detached=True)
    assert not isinstance(server, int)
    try:
        with urllib.request.urlopen(server.base_url + "/models", timeout=10) as response:
            assert json.load(response)["data"][0]["id"] == "smollm2-135m-instruct"
        listed = {p["id"]: p for p in System().processes()}
        assert listed[server.process_id]["state"] == "running"
        assert listed[server.process_id]["kind"] == "serve"
        result = CliRunner().invoke(cli, ["process", "list"])
        assert server.process_id in result.output
    finally:
        stopped = System().stop(server.process_id)
    assert stopped["pid"] == server.pid
    assert not pid_alive(server.pid)
    assert System().processes() == []
    assert "Serving smollm2-135m-instruct" in server.log_file.read_text()


@pytest.mark.slow
def test_cli_serve_detached_then_process_remove() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["model", "serve", "-dt", "--host-port", "127.0.0.1:0", "--max-ctx-size", "512"]
    )
    assert result.exit_code == 0, result.output
    assert "Serving smollm2-135m-instruct at http://127.0.0.1:" in result.output
    (process_id,) = [p["id"] for p in System().processes()]
    result = runner.invoke(cli, ["process", "remove", process_id])
    assert result.exit_code == 0, result.output
    assert f"Stopped and removed {process_id}" in result.output
    assert System().processes() == []
