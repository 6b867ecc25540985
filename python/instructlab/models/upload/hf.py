"""Uploading a model to a Hugging Face repository (``org/name``) with huggingface_hub: one
commit holds every file, so the repository never shows half a model.

Nothing is attempted without what an upload needs: a token (``--hf-token``, ``HF_TOKEN`` or a
saved ``hf auth login``) and the network (``HF_HUB_OFFLINE`` unset, the Hub reachable); each
missing piece is named.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from instructlab import extras
from instructlab.errors import UploadFailed, UsageError
from instructlab.models.upload import UploadResult, model_files

__all__ = ["push"]

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def _endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def push(
    model: Path,
    destination: str,
    release: str,
    *,
    token: str | None = None,
    on_status: Callable[[str], None] | None = None,
) -> UploadResult:
    """Uploads ``model`` (a folder or a file) to the repository ``destination`` on the branch
    ``release`` (created if missing) in one commit."""
    if not _REPO_ID.match(destination):
        raise UsageError(
            f"destination: {destination!r} is not a Hugging Face repository id (ORG/NAME)",
            "destination",
        )
    files = model_files(model)
    hub = extras.require("huggingface_hub", "train", "uploading to Hugging Face")
    where = _endpoint()
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise UploadFailed(
            where, "HF_HUB_OFFLINE is set: uploading to Hugging Face needs the network"
        )
    token = token or os.environ.get("HF_TOKEN") or hub.get_token()
    if not token:
        raise UploadFailed(
            where,
            "no Hugging Face token: give --hf-token, set HF_TOKEN, or run `hf auth login` "
            "(a token with write access to the repository)",
        )
    started = time.monotonic()
    api = hub.HfApi(endpoint=where, token=token)
    try:
        api.create_repo(destination, exist_ok=True)
        if release != "main":
            api.create_branch(destination, branch=release, exist_ok=True)
        if on_status is not None:
            on_status(f"Uploading {len(files)} files to {where}/{destination}@{release}")
        operations = [hub.CommitOperationAdd(name, str(path)) for name, path in files]
        api.create_commit(
            destination,
            operations,
            commit_message=f"Upload {model.name} with ilab model upload",
            revision=release,
        )
    except Exception as exc:  # the Hub client raises many kinds; each is named
        raise UploadFailed(
            where, f"the upload to {destination} failed: {type(exc).__name__}: {exc}"
        ) from None
    return UploadResult(
        destination=f"{where}/{destination}/tree/{release}",
        dest_type="hf",
        files=len(files),
        bytes=sum(p.stat().st_size for _, p in files),
        skipped=0,
        seconds=time.monotonic() - started,
    )
