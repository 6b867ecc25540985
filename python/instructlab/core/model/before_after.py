"""`Model.test`: the trained model's answers beside the base model's, both served the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.core._checked import Positive, checked
from instructlab.core.model._base import ModelBase
from instructlab.errors import FileError, UsageError

if TYPE_CHECKING:
    from instructlab.eval.before_after import Question, TestRow


@dataclass(frozen=True)
class BeforeAfter:
    """What :meth:`Testing.test` found: both models, how they were served, the answers."""

    #: The trained model (a checkpoint folder or a GGUF file).
    model: Path
    #: The base model it was trained from.
    base_model: str
    #: The backend both were served with (``transformers`` or ``llama-cpp``).
    backend: str
    #: The precision both had (``fp32``, or the GGUF files' type, e.g. ``Q4_K_M``).
    precision: str
    #: Where the questions came from (a test file, or the taxonomy).
    source: str
    rows: list[TestRow]


class Testing(ModelBase):
    """Before and after training, side by side."""

    @checked
    def test(
        self,
        model_dir: str | Path | None = None,
        base_model: str | Path | None = None,
        *,
        test_file: str | Path | None = None,
        taxonomy_path: str | Path | None = None,
        taxonomy_base: str | None = None,
        max_tokens: Positive = 256,
        system_prompt: str | None = None,
        limit: Positive | None = None,
        quantize: bool = False,
        on_status: Callable[[str], None] | None = None,
    ) -> BeforeAfter:
        """Answers the test questions with the base model, then with the trained one.

        ``model_dir`` defaults to the newest checkpoint (as :meth:`convert`); ``base_model`` to
        the base its ``instructlab_checkpoint.json`` names. The questions are ``test_file``'s,
        else those of the newest SDG run's ``test_*.jsonl`` in ``generate.output_dir``, else the
        seed questions of the taxonomy's leaves changed since ``taxonomy_base``; ``limit``
        keeps the first N.

        Both models are served the same way so that differences come from training: a
        checkpoint folder and its base through transformers in fp32 (a GGUF base is de-quantised
        as the trainer did); with ``quantize``, both converted to Q4_K_M (the checkpoint's files
        written beside it as :meth:`convert` does, the base's under the cache folder; files
        newer than the weights are reused) and served through llama.cpp; when ``model_dir`` is
        a GGUF file, both through llama.cpp from GGUF files of the same type: the base must
        then be one too. Answers are greedy (temperature 0).
        """
        from instructlab.models.resolve import is_gguf, resolve_model_path

        trained = self._checkpoint(model_dir, "model_dir")
        if not trained.exists():
            raise FileError(str(trained), "no such file or folder")
        base = str(base_model) if base_model is not None else _base_of(trained)
        base_path = resolve_model_path(base)
        questions, source = self._questions(test_file, taxonomy_path, taxonomy_base)
        if limit is not None:
            questions = questions[:limit]
        served = trained
        if is_gguf(trained):
            backend = "llama-cpp"
            if not is_gguf(base_path):
                raise UsageError(
                    f"base_model: {base} is not a GGUF file, but the trained model is one: "
                    "serve both the same way (convert the base with `ilab model convert`, or "
                    "test the checkpoint folder)",
                    "base_model",
                )
            precision = _same_gguf_type(base_path, trained)
            served_base = base_path
        elif quantize:
            backend, precision = "llama-cpp", "Q4_K_M"
            served_base = _quantized(_as_hf_folder(base, base_path, on_status), True, on_status)
            served = _quantized(trained, False, on_status)
        else:
            backend, precision = "transformers", "fp32"
            served_base = _as_hf_folder(base, base_path, on_status)
        answers: dict[str, list[str]] = {}
        for label, path in (("base", served_base), ("trained", served)):
            if on_status is not None:
                on_status(f"Answering {len(questions)} questions with the {label} model ({path})")
            answers[label] = _answers(path, backend, questions, max_tokens, system_prompt)
        from instructlab.eval.before_after import TestRow

        rows = [
            TestRow(q, b, t)
            for q, b, t in zip(questions, answers["base"], answers["trained"], strict=True)
        ]
        return BeforeAfter(trained, base, backend, precision, source, rows)

    def _questions(
        self,
        test_file: str | Path | None,
        taxonomy_path: str | Path | None,
        taxonomy_base: str | None,
    ) -> tuple[list[Question], str]:
        from instructlab.eval.before_after import (
            newest_test_file,
            questions_from_file,
            questions_from_leaves,
        )

        cfg = self.configuration.generate
        if test_file is None and taxonomy_path is None:
            test_file = newest_test_file(Path(cfg.output_dir).expanduser())
        if test_file is not None:
            path = Path(test_file).expanduser()
            return questions_from_file(path), str(path)
        from instructlab.taxonomy import NoChangedLeaves, changed_leaves

        root = Path(taxonomy_path or cfg.taxonomy_path).expanduser()
        base = taxonomy_base or cfg.taxonomy_base
        try:
            leaves = changed_leaves(root, base)
        except NoChangedLeaves as exc:
            raise UsageError(f"test_file: no test file, and {exc.message}", "test_file") from None
        return questions_from_leaves(leaves), f"{root} (leaves changed since {base})"


def _base_of(trained: Path) -> str:
    """The base model a checkpoint names in ``instructlab_checkpoint.json``."""
    from instructlab.fileio import read_text

    folder = trained if trained.is_dir() else trained.parent
    info_file = folder / "instructlab_checkpoint.json"
    if info_file.is_file():
        try:
            info = json.loads(read_text(info_file))
        except ValueError:
            info = {}
        base = info.get("base_model") if isinstance(info, dict) else None
        if isinstance(base, dict):
            from instructlab.errors import ModelNotFound
            from instructlab.models.resolve import resolve_model_path

            # As it was named (embedded://..., a models-folder name) while that still resolves,
            # else the path it resolved to then.
            for key in ("source", "path"):
                if isinstance(base.get(key), str) and base[key]:
                    try:
                        resolve_model_path(base[key])
                    except ModelNotFound:
                        continue
                    return str(base[key])
    raise UsageError(
        f"base_model: {trained} does not say which model it was trained from "
        "(no instructlab_checkpoint.json); give --base-model",
        "base_model",
    )


def _as_hf_folder(name: str, path: Path, on_status: Callable[[str], None] | None) -> Path:
    """A Hugging Face folder transformers serves: the model itself, or a GGUF's fp32 copy (the
    one the trainer de-quantised) with the tokenizer our GGUF reader rebuilds."""
    from instructlab.models.resolve import is_gguf

    if not is_gguf(path):
        return path
    from instructlab.train.student import find_student, write_tokenizer

    student = find_student(name, on_status=on_status)
    if not (student.model_dir / "tokenizer.json").is_file():
        write_tokenizer(student, student.model_dir)
    return student.model_dir


def _same_gguf_type(base: Path, trained: Path) -> str:
    """The file type both GGUF files share (``F16``, ``Q4_K_M``, ...); a difference is refused:
    it would show up as a difference of training."""
    from instructlab import extras

    gguf = extras.require("gguf", "train", "comparing GGUF files")
    kinds = []
    for path in (base, trained):
        field = gguf.GGUFReader(str(path)).fields.get("general.file_type")
        value = int(field.parts[field.data[0]][0]) if field is not None else None
        kinds.append(
            gguf.LlamaFileType(value).name.removeprefix("MOSTLY_") if value is not None else "?"
        )
    if kinds[0] != kinds[1]:
        raise UsageError(
            f"base_model: {base} is {kinds[0]} but {trained} is {kinds[1]}: serve both at the "
            "same precision (quantise both or neither; `ilab model test --quantize` on the "
            "checkpoint folder does that)",
            "base_model",
        )
    return kinds[0]


def _quantized(folder: Path, cached: bool, on_status: Callable[[str], None] | None) -> Path:
    """``folder``'s Q4_K_M GGUF: beside it (a checkpoint), or under the cache (``cached``: a
    base model, whose folder is not ours to write in); one newer than the weights is reused."""
    import hashlib

    from instructlab.config import paths
    from instructlab.train.export.convert import convert_checkpoint, output_paths

    weights = list(folder.glob("*.safetensors"))
    newest = max((p.stat().st_mtime for p in weights), default=0.0)
    out = folder
    if cached:
        key = hashlib.sha256(f"{folder.resolve()}\0{newest}".encode()).hexdigest()[:12]
        out = paths.cache_dir() / "quantized" / f"{folder.name}-{key}"
    _, quantized = output_paths(out, "pytorch_model")
    if quantized.is_file() and quantized.stat().st_mtime >= newest:
        return quantized
    result = convert_checkpoint(folder, output_dir=out, force=True, on_status=on_status)
    assert result.quantized is not None
    return result.quantized


def _answers(
    model: Path,
    backend: str,
    questions: list[Question],
    max_tokens: int,
    system_prompt: str | None,
) -> list[str]:
    from instructlab.llm.endpoint import Endpoint
    from instructlab.llm.running import running_server

    out: list[str] = []
    with running_server(model, backend=backend, parallel=1) as server:
        endpoint = Endpoint(server.base_url, server.api_key)
        for question in questions:
            messages = []
            system = system_prompt if system_prompt is not None else question.system
            if system:
                messages.append({"role": "system", "content": system})
            messages.append({"role": "user", "content": question.user})
            reply = endpoint.chat(
                server.model_id, messages, max_tokens=max_tokens, temperature=0.0, seed=0
            )
            out.append(reply.strip())
    return out
