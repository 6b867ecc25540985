"""``ilab model upload`` to an OCI registry on 127.0.0.1: the newest checkpoint by default, a
checkpoint by name, what was there already not sent again."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from instructlab.cli.main import cli
from instructlab.config import paths
from models.upload.registry import Registry


def test_newest_checkpoint_then_by_name(tmp_path: Path) -> None:
    root = paths.checkpoints_dir() / "hf_format"
    for samples, created in ((8, "2025-01-01T00:00:00+00:00"), (4, "2025-02-01T00:00:00+00:00")):
        folder = root / f"samples_{samples}"
        folder.mkdir(parents=True)
        info = {"format_version": 1, "created": created}
        (folder / "instructlab_checkpoint.json").write_text(json.dumps(info), encoding="utf-8")
        (folder / "model.safetensors").write_bytes(bytes([samples]) * 100)
    with Registry() as registry:
        destination = f"oci://{registry.host}/student"
        first = CliRunner().invoke(
            cli, ["model", "upload", "--dest-type", "oci", "--destination", destination]
        )
        assert first.exit_code == 0, first.output
        assert f"Uploaded 2 files (161 B) to {destination}:latest" in first.output
        newest = registry.manifest("student", "latest")
        assert newest is not None  # samples_4: written last, though it has fewer samples
        layer = next(x for x in newest["layers"] if x["size"] == 100)
        assert registry.blobs[layer["digest"]] == bytes([4]) * 100

        again = CliRunner().invoke(
            cli,
            [
                "model", "upload", "--model", "samples_8", "--dest-type", "oci",
                "--destination", destination, "--release", "v8",
            ],
        )  # fmt: skip
        assert again.exit_code == 0, again.output
        assert registry.manifest("student", "v8") is not None
