"""Pushing a model to an OCI registry on 127.0.0.1: files as titled blobs, the tag only once
every blob is there, an interrupted push resumed, and what cannot work named."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from instructlab.errors import UploadFailed, UsageError
from instructlab.models.upload.oci import ARTIFACT_TYPE, parse_destination, push
from models.upload.registry import Registry


@pytest.fixture
def model(tmp_path: Path) -> Path:
    folder = tmp_path / "samples_12"
    (folder / "adapter").mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 64)
    (folder / "adapter" / "adapter_config.json").write_text("{}", encoding="utf-8")
    (folder / ".model.gguf.partial-1").write_bytes(b"half")  # never uploaded
    return folder


def test_push_then_the_tag_names_every_file(model: Path) -> None:
    with Registry() as registry:
        result = push(model, f"oci://{registry.host}/team/student", "v1")
        manifest = registry.manifest("team/student", "v1")
    assert result.destination == f"oci://{registry.host}/team/student:v1"
    assert (result.files, result.skipped) == (3, 0)
    assert manifest is not None and manifest["artifactType"] == ARTIFACT_TYPE
    titles = {
        layer["annotations"]["org.opencontainers.image.title"]: layer
        for layer in manifest["layers"]
    }
    assert set(titles) == {"adapter/adapter_config.json", "config.json", "model.safetensors"}
    weights = (model / "model.safetensors").read_bytes()
    layer = titles["model.safetensors"]
    assert layer["digest"] == "sha256:" + hashlib.sha256(weights).hexdigest()
    assert registry.blobs[layer["digest"]] == weights


def test_an_interrupted_push_leaves_no_tag_and_resumes(model: Path) -> None:
    with Registry() as registry:
        registry.fail_puts = {3}  # the third file (model.safetensors) fails
        with pytest.raises(UploadFailed, match="answered HTTP 500"):
            push(model, f"oci://{registry.host}/student", "latest")
        assert registry.manifest("student", "latest") is None
        assert len(registry.blobs) == 2
        result = push(model, f"oci://{registry.host}/student", "latest")
        assert registry.manifest("student", "latest") is not None
    assert result.skipped == 2  # the two blobs the first push got in are not sent again
    assert registry.blob_puts == 3 + 2  # then the failed one again, and the config


def test_unreachable_and_unauthorised_registries_are_named(model: Path) -> None:
    with pytest.raises(UploadFailed, match=r"127\.0\.0\.1:9: the registry is unreachable"):
        push(model, "oci://127.0.0.1:9/student", "latest")
    with (
        Registry(require_auth=True) as registry,
        pytest.raises(UploadFailed, match="asks for credentials"),
    ):
        push(model, f"oci://{registry.host}/student", "latest")


def test_destinations() -> None:
    assert parse_destination("oci://127.0.0.1:5000/a/b") == (
        "http://127.0.0.1:5000",
        "a/b",
        "oci://127.0.0.1:5000/a/b",
    )
    assert parse_destination("quay.io/org/model")[0] == "https://quay.io"
    for bad in ("oci://", "oci://host", "oci://host/Upper", "oci://host/a b"):
        with pytest.raises(UsageError):
            parse_destination(bad)


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_credentials_from_the_environment_or_a_login_file(
    model: Path, auth: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Registry(auth=auth, user="ann:secret") as registry:
        destination = f"oci://{registry.host}/student"
        with pytest.raises(UploadFailed, match="asks for credentials: set ILAB_OCI_USERNAME"):
            push(model, destination, "v1")
        monkeypatch.setenv("ILAB_OCI_USERNAME", "ann")
        monkeypatch.setenv("ILAB_OCI_PASSWORD", "wrong")
        with pytest.raises(UploadFailed, match="refused the credentials"):
            push(model, destination, "v1")
        monkeypatch.delenv("ILAB_OCI_USERNAME")
        monkeypatch.delenv("ILAB_OCI_PASSWORD")
        docker = Path.home() / ".docker" / "config.json"  # as `docker login` writes it
        docker.parent.mkdir(parents=True)
        token = base64.b64encode(b"ann:secret").decode()
        docker.write_text(json.dumps({"auths": {registry.host: {"auth": token}}}))
        push(model, destination, "v1")
        assert registry.manifest("student", "v1") is not None
