"""`GenerateOptions`: every option of one generation run, as one typed record.

The same record travels the whole way: ``ilab data generate`` fills it from its flags,
:meth:`instructlab.core.Data.generate_data` checks it (each field against its annotation, ranges
included), the engine (:func:`instructlab.sdg.generate.generate`) reads it field by field, and a
run sent to the background receives it as a JSON file (:meth:`GenerateOptions.to_json`), never as
command-line flags. A field left ``None`` takes its value from the ``generate`` section of the
configuration, else the built-in default.

The two secrets (``api_key``, ``tls_client_passwd``) never leave the process in that file: a
background run gets them through its environment (:data:`SECRET_ENVIRONMENT`), and ``repr``
never shows them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab._bounds import NonNegative, Positive

__all__ = ["SECRET_ENVIRONMENT", "GenerateOptions"]

#: The secret fields, and the environment variable each reaches a background run through.
SECRET_ENVIRONMENT = {
    "api_key": "ILAB_DATA_GENERATE_API_KEY",
    "tls_client_passwd": "ILAB_DATA_GENERATE_TLS_CLIENT_PASSWD",
}


@dataclass(frozen=True, kw_only=True)
class GenerateOptions:
    """The options of ``ilab data generate`` (each field is the flag of the same name).

    ``None`` means: from the ``generate`` section of the configuration, else the built-in
    default. ``Data(taxonomy_path=..., teacher_model=..., output_dir=...)`` fills
    ``taxonomy_path``, ``model`` and ``output_dir`` where they are ``None`` here.
    """

    # -- the taxonomy and the output --------------------------------------------------------
    #: The taxonomy repository (``generate.taxonomy_path``).
    taxonomy_path: Path | None = None
    #: The git ref the diff that chooses the leaves compares against (``empty``: every leaf).
    taxonomy_base: str | None = None
    #: A yamllint configuration for that diff.
    yaml_rules: Path | None = None
    #: Where the data sets go (``generate.output_dir``).
    output_dir: Path | None = None

    # -- the teacher -------------------------------------------------------------------------
    #: The teacher model: served here (a path, or the embedded one) or asked of ``endpoint_url``.
    model: str | None = None
    #: The prompt family of the teacher (``None``: detected from the model's name).
    model_family: str | None = None
    #: An id in the configuration's ``models`` list (its path and family), else the model name
    #: sent in requests.
    teacher_model_id: str | None = None
    #: An OpenAI-compatible endpoint of a running teacher (``None``: start one here).
    endpoint_url: str | None = None
    #: The endpoint's API key (a secret: never written to a file or a command line).
    api_key: str | None = field(default=None, repr=False)
    #: Do not verify the endpoint's TLS certificate.
    tls_insecure: bool = False
    #: A TLS client certificate (and ``tls_client_key``, its key, when not in that file).
    tls_client_cert: Path | None = None
    tls_client_key: Path | None = None
    #: The password of an encrypted client key (a secret, as ``api_key``).
    tls_client_passwd: str | None = field(default=None, repr=False)
    #: GPUs for a teacher started here with vLLM (tensor parallelism); others ignore it.
    gpus: NonNegative | None = None
    #: Copy the started teacher's server log to stderr as it is written.
    enable_serving_output: bool = False
    #: The teacher's context in tokens: the server's size, and a cap on document chunks.
    server_ctx_size: Positive | None = None

    # -- what is generated -------------------------------------------------------------------
    #: ``simple``, ``full``, ``eval``, a name in the XDG data dirs, or a directory.
    pipeline: str | None = None
    #: Samples per seed example (``n: scaled`` in a pipeline file).
    sdg_scale_factor: Positive | None = None
    #: The longest knowledge answer in tokens.
    max_num_tokens: Positive | None = None
    #: Words per knowledge document chunk.
    chunk_word_count: Positive | None = None
    #: An id in the configuration's ``models`` list whose ``system_prompt`` the data gets.
    student_model_id: str | None = None

    # -- how it runs -------------------------------------------------------------------------
    #: A cap on requests in flight (``None``: adaptive); the path from here to the limiter is
    #: :func:`instructlab.sdg.settings.concurrency_cap`, ``LLMClient(max_concurrency=...)``,
    #: ``AdaptiveLimiter(cap=...)``.
    num_cpus: Positive | None = None
    #: InstructLab's prompts per request, read as a cap on requests in flight (with
    #: ``num_cpus`` the smaller cap wins; ``0``: none).
    batch_size: NonNegative | None = None
    #: Check the pipelines and estimate the requests; send nothing, write nothing.
    dry_run: bool = False
    #: Start afresh instead of continuing an unfinished run with the same inputs.
    new_run: bool = False
    #: No per-row fault messages in the log (the report counts them).
    quiet: bool = False

    def with_defaults(self, **defaults: Any) -> GenerateOptions:
        """A copy where each field named here that is ``None`` takes the value given."""
        missing = {k: v for k, v in defaults.items() if getattr(self, k) is None}
        return dataclasses.replace(self, **missing) if missing else self

    def to_json(self) -> str:
        """The options as JSON, secrets left out (see :data:`SECRET_ENVIRONMENT`)."""
        data: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.name in SECRET_ENVIRONMENT or value is None:
                continue
            data[item.name] = str(value) if isinstance(value, Path) else value
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, secrets: dict[str, str] | None = None) -> GenerateOptions:
        """Options written by :meth:`to_json`, with ``secrets`` (field -> value) put back.

        Raises:
            ValueError: the text is not such a record (not JSON, or an unknown field).
        """
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object of generate options")
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown generate options: {', '.join(unknown)}")
        for name in ("taxonomy_path", "yaml_rules", "output_dir", "tls_client_cert",
                     "tls_client_key"):  # fmt: skip
            if isinstance(data.get(name), str):
                data[name] = Path(data[name])
        for name, value in (secrets or {}).items():
            if name not in SECRET_ENVIRONMENT:
                raise ValueError(f"{name} is not a secret option")
            data[name] = value
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    @classmethod
    def from_file(
        cls, path: Path, secrets: Mapping[str, str | None] | None = None
    ) -> GenerateOptions:
        """Options :meth:`to_json` wrote to ``path`` (a background run's options file), with
        ``secrets`` put back (those given, not ``None``).

        Raises:
            FileError: the file cannot be read, or holds no such record.
        """
        from instructlab.errors import FileError
        from instructlab.fileio import read_text

        given = {k: v for k, v in (secrets or {}).items() if v is not None}
        try:
            return cls.from_json(read_text(path, what="an options file"), given)
        except ValueError as exc:
            raise FileError(str(path), f"not a generate options record ({exc})") from None
