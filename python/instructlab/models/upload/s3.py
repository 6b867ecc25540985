"""Uploading a model to S3 (``s3://BUCKET/PREFIX``), or any S3-compatible store
(``--s3-endpoint-url`` or ``AWS_ENDPOINT_URL``), with boto3 (the ``upload`` extra).

Credentials and region come from boto3's usual places (``AWS_ACCESS_KEY_ID``, profiles, ...).
Each file is one object, written whole (S3 shows an object only once its upload, multipart or
not, completes) with its SHA-256 in the object's metadata; an object already there with the
same SHA-256 and size is not sent again, so an interrupted upload resumes. The listing
``PREFIX/.instructlab-upload.json`` (files, sizes, SHA-256) is written last: a reader that
finds it knows the upload is complete.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from instructlab import extras
from instructlab.errors import UploadFailed, UsageError
from instructlab.models.upload import UploadResult, model_files, sha256_of

__all__ = ["LISTING", "parse_destination", "push"]

#: The object written last, listing the upload.
LISTING = ".instructlab-upload.json"


def parse_destination(destination: str) -> tuple[str, str]:
    """(bucket, key prefix) of ``s3://BUCKET[/PREFIX]``."""
    if not destination.startswith("s3://"):
        raise UsageError(
            f"destination: {destination!r} is not an S3 URL (s3://BUCKET/PREFIX)", "destination"
        )
    bucket, _, prefix = destination.removeprefix("s3://").partition("/")
    if not bucket or any(c.isspace() for c in destination):
        raise UsageError(
            f"destination: {destination!r} names no bucket (s3://BUCKET/PREFIX)", "destination"
        )
    return bucket, prefix.strip("/")


def _failed(where: str, exc: Exception, endpoint: str | None) -> UploadFailed:
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return UploadFailed(
            where,
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile",
        )
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
        return UploadFailed(where, f"the S3 endpoint {endpoint or 'of AWS'} is unreachable ({exc})")
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            return UploadFailed(where, "the bucket does not exist; create it first")
        if code in ("403", "AccessDenied"):
            return UploadFailed(where, "access denied: the credentials may not write here")
    return UploadFailed(where, f"{name}: {exc}")


def push(
    model: Path,
    destination: str,
    *,
    endpoint_url: str | None = None,
    on_status: Callable[[str], None] | None = None,
) -> UploadResult:
    """Uploads ``model`` (a folder or a file) under ``destination`` (``s3://BUCKET/PREFIX``)."""
    bucket, prefix = parse_destination(destination)
    files = model_files(model)
    boto3 = extras.require("boto3", "upload", "uploading to S3")
    botocore_config = extras.require("botocore.config", "upload", "uploading to S3")
    where = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    started = time.monotonic()
    config = botocore_config.Config(retries={"max_attempts": 3}, connect_timeout=10)
    try:
        # A session of its own: credentials are read now, not cached from an earlier call.
        session = boto3.session.Session()
        client = session.client("s3", endpoint_url=endpoint_url or None, config=config)
        client.head_bucket(Bucket=bucket)
    except Exception as exc:  # botocore's errors are classes made at run time
        raise _failed(where, exc, endpoint_url) from None
    listing = []
    skipped = 0
    for name, path in files:
        key = f"{prefix}/{name}" if prefix else name
        sha = sha256_of(path)
        size = path.stat().st_size
        listing.append({"file": name, "size": size, "sha256": sha})
        try:
            if _same(client, bucket, key, sha, size):
                skipped += 1
                continue
            if on_status is not None:
                on_status(f"Uploading {name} ({size} bytes) to s3://{bucket}/{key}")
            client.upload_file(str(path), bucket, key, ExtraArgs={"Metadata": {"sha256": sha}})
        except Exception as exc:  # as above
            raise _failed(where, exc, endpoint_url) from None
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    body = json.dumps({"created": created, "files": listing}, indent=2).encode()
    try:
        client.put_object(
            Bucket=bucket,
            Key=f"{prefix}/{LISTING}" if prefix else LISTING,
            Body=body,
            ContentType="application/json",
        )
    except Exception as exc:  # as above
        raise _failed(where, exc, endpoint_url) from None
    return UploadResult(
        destination=where,
        dest_type="s3",
        files=len(files),
        bytes=sum(item["size"] for item in listing),  # type: ignore[misc]
        skipped=skipped,
        seconds=time.monotonic() - started,
    )


def _same(client: Any, bucket: str, key: str, sha: str, size: int) -> bool:
    """The object exists with this SHA-256 and size (a finished earlier upload)."""
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except Exception as exc:  # botocore's ClientError
        response = getattr(exc, "response", None)
        if isinstance(response, dict) and str(response.get("Error", {}).get("Code")) in (
            "404",
            "NoSuchKey",
            "NotFound",
        ):
            return False
        raise
    return bool(head.get("Metadata", {}).get("sha256") == sha and head.get("ContentLength") == size)
