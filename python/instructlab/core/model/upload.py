"""`Model.upload`: a model to a Hugging Face repository, an OCI registry or an S3 bucket."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from instructlab.core._checked import checked
from instructlab.core.model._base import ModelBase
from instructlab.errors import UsageError

if TYPE_CHECKING:
    from instructlab.models.upload import UploadResult


class Uploading(ModelBase):
    """Uploading models."""

    @checked
    def upload(
        self,
        model: str | Path | None = None,
        destination: str | None = None,
        *,
        dest_type: Literal["hf", "oci", "s3"] = "hf",
        release: str | None = None,
        hf_token: str | None = None,
        s3_endpoint_url: str | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> UploadResult:
        """Uploads a model (a folder or one file) to ``destination``.

        ``model``: a path, the name of a checkpoint under ``train.ckpt_output_dir``
        (``samples_<N>``), or a model in the models folder; default: the newest checkpoint.
        ``dest_type`` and ``destination``: ``hf`` and ``ORG/NAME`` (``release``: the branch,
        default ``main``; ``hf_token`` or ``HF_TOKEN``), ``oci`` and ``oci://HOST[:PORT]/NAME``
        (``release``: the tag, default ``latest``), ``s3`` and ``s3://BUCKET/PREFIX``
        (``s3_endpoint_url`` for an S3-compatible store; ``release`` is not used).

        Raises :class:`~instructlab.errors.UploadFailed` naming the destination when it is
        unreachable, refuses or lacks what the upload needs (a token, credentials, a bucket).
        """
        if not destination:
            raise UsageError(
                "destination: where to upload is required (ORG/NAME for hf, "
                "oci://HOST/NAME for oci, s3://BUCKET/PREFIX for s3)",
                "destination",
            )
        path = self._upload_source(model)
        if dest_type == "oci":
            from instructlab.models.upload import oci

            return oci.push(path, destination, release or "latest", on_status=on_status)
        if dest_type == "s3":
            from instructlab.models.upload import s3

            return s3.push(path, destination, endpoint_url=s3_endpoint_url, on_status=on_status)
        from instructlab.models.upload import hf

        return hf.push(path, destination, release or "main", token=hf_token, on_status=on_status)

    def _upload_source(self, model: str | Path | None) -> Path:
        if model is None:
            return self._checkpoint(None, "model")
        candidate = Path(str(model)).expanduser()
        if candidate.exists():
            return candidate
        from instructlab.train.checkpoint import hf_dir

        checkpoint = hf_dir(Path(self.configuration.train.ckpt_output_dir).expanduser()) / str(
            model
        )
        if not candidate.is_absolute() and checkpoint.is_dir():
            return checkpoint
        from instructlab.models.resolve import resolve_model_path

        return resolve_model_path(model)
