"""`GenerateOptions`: one typed record from the CLI to the engine and to a background run."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from instructlab.sdg.options import SECRET_ENVIRONMENT, GenerateOptions


def test_json_round_trip_leaves_the_secrets_out_and_takes_them_back() -> None:
    given = GenerateOptions(
        taxonomy_path=Path("/tax"),
        endpoint_url="https://teacher/v1",
        api_key="sk-secret",
        tls_client_passwd="hunter2",
        num_cpus=3,
        batch_size=0,
        quiet=True,
    )
    text = given.to_json()
    assert "sk-secret" not in text and "hunter2" not in text
    data = json.loads(text)
    assert data["taxonomy_path"] == "/tax" and data["num_cpus"] == 3 and data["batch_size"] == 0
    assert "model" not in data  # None: left to the configuration
    back = GenerateOptions.from_json(text, {"api_key": "sk-secret", "tls_client_passwd": "hunter2"})
    assert back == given
    assert GenerateOptions.from_json(text) == dataclasses.replace(
        given, api_key=None, tls_client_passwd=None
    )
    # The environment variables are the ones `ilab data generate` reads for those flags.
    assert SECRET_ENVIRONMENT == {
        "api_key": "ILAB_DATA_GENERATE_API_KEY",
        "tls_client_passwd": "ILAB_DATA_GENERATE_TLS_CLIENT_PASSWD",
    }


def test_repr_never_shows_a_secret() -> None:
    text = repr(GenerateOptions(api_key="sk-secret", tls_client_passwd="hunter2", num_cpus=2))
    assert "sk-secret" not in text and "hunter2" not in text and "num_cpus=2" in text


def test_a_record_that_is_not_generate_options_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown generate options: num_gpus"):
        GenerateOptions.from_json('{"num_gpus": 2}')
    with pytest.raises(ValueError, match="a JSON object"):
        GenerateOptions.from_json("[1]")
    with pytest.raises(ValueError, match="num_cpus is not a secret"):
        GenerateOptions.from_json("{}", {"num_cpus": "2"})


def test_with_defaults_fills_only_what_is_unset() -> None:
    options = GenerateOptions(model="given")
    filled = options.with_defaults(model="other", output_dir=Path("/out"))
    assert (filled.model, filled.output_dir) == ("given", Path("/out"))
    assert options.with_defaults(model="x") is options


def test_importing_the_options_loads_no_engine() -> None:
    code = (
        "import sys; from instructlab.sdg.options import GenerateOptions; "
        "print(sorted(m for m in sys.modules if m.startswith('instructlab.sdg.') "
        "or m in ('asyncio', 'yaml')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['instructlab.sdg.options']"


def test_an_options_file_is_read_with_the_secrets_given(tmp_path: Path) -> None:
    from instructlab.errors import FileError

    path = tmp_path / "options.json"
    path.write_text(GenerateOptions(num_cpus=2, api_key="sk-x").to_json(), encoding="utf-8")
    read = GenerateOptions.from_file(path, {"api_key": "sk-x", "tls_client_passwd": None})
    assert read == GenerateOptions(num_cpus=2, api_key="sk-x")
    path.write_text('{"num_cpus": 2, "quiet": true, "dry_run": 1, "bogus": 0}', encoding="utf-8")
    with pytest.raises(FileError, match=r"options\.json: not a generate options record"):
        GenerateOptions.from_file(path)
