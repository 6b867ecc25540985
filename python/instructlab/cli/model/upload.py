"""``ilab model upload``."""

from __future__ import annotations

import click

from instructlab.cli._common import ENDPOINT_URL, human_size
from instructlab.cli.model._sdk import sdk


@click.command()
@click.option(
    "--model",
    help="Model folder or file, checkpoint name (samples_N) or models-folder name "
    "(default: the newest checkpoint).",
)
@click.option(
    "--dest-type", type=click.Choice(["hf", "oci", "s3"]), default="hf", show_default=True
)
@click.option(
    "--destination",
    required=True,
    help="hf: ORG/NAME; oci: oci://HOST[:PORT]/NAME; s3: s3://BUCKET/PREFIX.",
)
@click.option("--release", help="hf: the branch (default main); oci: the tag (default latest).")
@click.option("--hf-token", envvar="HF_TOKEN", help="Hugging Face token with write access.")
@click.option("--s3-endpoint-url", type=ENDPOINT_URL, help="An S3-compatible store's URL.")
@click.pass_context
def upload(
    ctx: click.Context,
    model: str | None,
    dest_type: str,
    destination: str,
    release: str | None,
    hf_token: str | None,
    s3_endpoint_url: str | None,
) -> None:
    """Upload a model to Hugging Face, an OCI registry or S3."""
    result = sdk(ctx).upload(
        model,
        destination,
        dest_type=dest_type,  # type: ignore[arg-type]
        release=release,
        hf_token=hf_token,
        s3_endpoint_url=s3_endpoint_url,
        on_status=lambda message: click.echo(message, err=True),
    )
    resumed = f", {result.skipped} there already" if result.skipped else ""
    click.echo(
        f"Uploaded {result.files} files ({human_size(result.bytes)}{resumed}) to "
        f"{result.destination} in {result.seconds:.1f} s"
    )
