"""Uploading a model to S3: against moto's S3 server on 127.0.0.1 (real HTTP, real signing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from instructlab.errors import UploadFailed, UsageError
from instructlab.llm.running import free_port
from instructlab.models.upload.s3 import LISTING, parse_destination, push


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The endpoint URL of a fresh S3 server holding the bucket ``models``."""
    import boto3
    from moto.server import ThreadedMotoServer

    for key, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket="models")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def model(tmp_path: Path) -> Path:
    folder = tmp_path / "samples_12"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"\x01" * 4096)
    return folder


def test_upload_then_resume_sends_only_what_changed(s3: str, model: Path) -> None:
    import boto3

    result = push(model, "s3://models/team/v1", endpoint_url=s3)
    assert (result.destination, result.files, result.skipped) == ("s3://models/team/v1", 2, 0)
    client = boto3.client("s3", endpoint_url=s3)
    body = client.get_object(Bucket="models", Key="team/v1/model.safetensors")["Body"].read()
    assert body == b"\x01" * 4096
    listing = json.loads(
        client.get_object(Bucket="models", Key=f"team/v1/{LISTING}")["Body"].read()
    )
    assert [f["file"] for f in listing["files"]] == ["config.json", "model.safetensors"]

    (model / "config.json").write_text('{"model_type": "qwen2"}', encoding="utf-8")
    again = push(model, "s3://models/team/v1", endpoint_url=s3)
    assert again.skipped == 1
    config = client.get_object(Bucket="models", Key="team/v1/config.json")["Body"].read()
    assert b"qwen2" in config


def test_what_is_missing_is_named(
    s3: str, model: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(UploadFailed, match="s3://nobucket/x: the bucket does not exist"):
        push(model, "s3://nobucket/x", endpoint_url=s3)
    with pytest.raises(UploadFailed, match=r"127\.0\.0\.1:9 is unreachable"):
        push(model, "s3://models/x", endpoint_url="http://127.0.0.1:9")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(UploadFailed, match="no AWS credentials"):
        push(model, "s3://models/x", endpoint_url=s3)


def test_destinations() -> None:
    assert parse_destination("s3://b/p/q/") == ("b", "p/q")
    assert parse_destination("s3://b") == ("b", "")
    for bad in ("b/p", "s3://", "s3:///p"):
        with pytest.raises(UsageError):
            parse_destination(bad)
