"""The student: a causal language model to fine-tune, from a Hugging Face folder or a GGUF file.

A Hugging Face folder is checked before anything heavy happens: its ``config.json`` must name a
model type transformers has a causal-LM class for (or ``auto_map`` code, loaded only with
``trust_remote_code``), and weights must be there. Nothing is ever downloaded.

A GGUF file is de-quantised once into a plain fp32 Hugging Face folder under
``~/.cache/instructlab/students/`` (keyed by the file's path, size and modification time) and
loaded from there. transformers marks a model it loads from GGUF as quantized (its ``Trainer``
then refuses to fine-tune it) and its GGUF reader is slow (about 20 s for the 135M embedded model
here, most of it parsing the vocabulary twice), so the copy is made once, written without the
quantization marker. The tokenizer is ours (:func:`instructlab.models.tokenizer.load_tokenizer`):
transformers' GGUF tokenizer conversion splits whitespace before digits differently from
llama.cpp on SmolLM2 (``"a  1"``), and our reader matches llama.cpp.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from instructlab import extras
from instructlab.config import paths
from instructlab.errors import FileError, UsageError
from instructlab.fileio import atomic_dir, atomic_write_text, read_text
from instructlab.models.resolve import is_gguf, resolve_model_path
from instructlab.models.tokenizer import TokenizerSource, load_tokenizer

__all__ = [
    "TOKENIZER_FILES",
    "Student",
    "find_student",
    "load_model",
    "quiet_progress",
    "write_tokenizer",
]

#: Files that make up a tokenizer in a Hugging Face folder (copied into every checkpoint).
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.model",
    "vocab.json",
    "merges.txt",
    "chat_template.jinja",
    "chat_template.json",
)
_MARKER = "instructlab_student.json"
#: Bumped when the de-quantised copy of a GGUF student could differ for the same file.
_CONVERSION_VERSION = "1"


@dataclass(frozen=True)
class Student:
    """A student model found on disk, checked, not loaded yet."""

    #: What the user named (``embedded://...``, a path, a name in the models folder).
    source: str
    #: The file or folder it resolves to.
    path: Path
    kind: Literal["hf", "gguf"]
    #: The Hugging Face folder the weights load from (a GGUF's de-quantised copy).
    model_dir: Path
    #: The tokenizer and chat template the run uses.
    tokenizer: TokenizerSource
    #: Where the tokenizer comes from (the model, or the tokenizer path given).
    tokenizer_path: Path
    #: A Hugging Face folder whose tokenizer files are copied into checkpoints (None for a
    #: tokenizer read from a GGUF file: it is written from ``tokenizer``).
    tokenizer_files: Path | None
    model_type: str
    trust_remote_code: bool = False

    def describe(self) -> dict[str, Any]:
        """What a checkpoint records about its base model."""
        stat = self.path.stat()
        return {
            "source": self.source,
            "path": str(self.path.resolve()),
            "kind": self.kind,
            "model_type": self.model_type,
            "size": stat.st_size if self.path.is_file() else None,
        }


def _need(module: str) -> Any:
    return extras.require(module, "train", "training")


def _bad_model(path: Path, detail: str) -> UsageError:
    return UsageError(f"model_path: {path} {detail}", "model_path")


def _check_hf_folder(path: Path, trust_remote_code: bool) -> str:
    """The model type of a Hugging Face folder holding a causal LM; a clear error otherwise."""
    config_file = path / "config.json"
    if not config_file.is_file():
        raise _bad_model(
            path,
            "is not a model folder (no config.json); give a Hugging Face model folder, a .gguf "
            "file or embedded://smollm2-135m-instruct",
        )
    try:
        config = json.loads(read_text(config_file, what="a model's config.json"))
    except json.JSONDecodeError as exc:
        raise FileError(str(config_file), f"is not valid JSON (line {exc.lineno})") from None
    if not isinstance(config, dict):
        raise FileError(str(config_file), "is not a JSON object")
    model_type = config.get("model_type")
    auto_map = config.get("auto_map") or {}
    if isinstance(auto_map, dict) and "AutoModelForCausalLM" in auto_map:
        if not trust_remote_code:
            raise _bad_model(
                path,
                "needs its own Python code (auto_map in config.json); run it only if you trust "
                "it: pass trust_remote_code=True (--trust-remote-code)",
            )
    else:
        _need("transformers")
        from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

        if not isinstance(model_type, str) or not model_type:
            raise _bad_model(
                path, "is not a causal language model (config.json names no model_type)"
            )
        if model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
            raise _bad_model(
                path,
                f"is not a causal language model (model_type '{model_type}' has no causal-LM "
                "class in transformers)",
            )
    weights = ("*.safetensors", "*.bin", "*.pt")
    if not any(next(path.glob(p), None) is not None for p in weights):
        raise _bad_model(path, "holds no weights (*.safetensors or *.bin)")
    return str(model_type or "custom")


def find_student(
    model: str | Path,
    *,
    tokenizer_path: str | Path | None = None,
    chat_template: str | None = None,
    trust_remote_code: bool = False,
    cache_dir: Path | None = None,
    on_status: Callable[[str], None] | None = None,
) -> Student:
    """Resolves and checks the student; a GGUF file is de-quantised into the cache on first
    use (``on_status`` hears about it: it takes a while)."""
    path = resolve_model_path(str(model))
    if path.is_dir() and not (path / "config.json").is_file():
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            path = ggufs[0]
    kind: Literal["hf", "gguf"]
    if path.is_file():
        if not is_gguf(path):
            raise _bad_model(path, "is neither a GGUF file nor a model folder; give one of those")
        kind = "gguf"
        model_dir = _gguf_copy(path, cache_dir, on_status)
        loaded = json.loads(read_text(model_dir / "config.json"))
        model_type = str(loaded.get("model_type", "unknown"))
    else:
        kind = "hf"
        model_type = _check_hf_folder(path, trust_remote_code)
        model_dir = path
    tokenizer_source = Path(tokenizer_path) if tokenizer_path is not None else path
    tokenizer = load_tokenizer(tokenizer_source, chat_template)
    files: Path | None = None
    if not (tokenizer_source.is_file() and tokenizer_source.suffix == ".gguf"):
        files = tokenizer_source if tokenizer_source.is_dir() else tokenizer_source.parent
    return Student(
        source=str(model),
        path=path,
        kind=kind,
        model_dir=model_dir,
        tokenizer=tokenizer,
        tokenizer_path=tokenizer_source,
        tokenizer_files=files,
        model_type=model_type,
        trust_remote_code=trust_remote_code,
    )


def _gguf_key(gguf: Path) -> str:
    stat = gguf.stat()
    text = f"{_CONVERSION_VERSION}\0{gguf.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _gguf_copy(gguf: Path, cache_dir: Path | None, on_status: Callable[[str], None] | None) -> Path:
    """The de-quantised Hugging Face copy of a GGUF student (made on first use)."""
    base = cache_dir if cache_dir is not None else paths.cache_dir() / "students"
    folder = base / f"{gguf.stem}-{_gguf_key(gguf)}"
    if (folder / _MARKER).is_file():
        return folder
    torch = _need("torch")
    _need("gguf")
    transformers = _need("transformers")
    if on_status is not None:
        on_status(f"De-quantising {gguf.name} into a trainable fp32 copy (once; kept in {base})")
    with quiet_progress():
        try:
            model = transformers.AutoModelForCausalLM.from_pretrained(
                str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32, local_files_only=True
            )
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise _bad_model(
                gguf, f"could not be loaded as a causal language model: {exc}"
            ) from None
    # A plain fp32 model now: drop what marks it as quantized.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    with atomic_dir(folder) as partial, quiet_progress():
        model.save_pretrained(str(partial), safe_serialization=True)
        atomic_write_text(
            partial / _MARKER,
            json.dumps({"gguf": str(gguf.resolve()), "key": _gguf_key(gguf)}, indent=2),
        )
    return folder


@contextlib.contextmanager
def quiet_progress() -> Iterator[None]:
    """transformers' progress bars off for a block (the run's own view reports progress)."""
    if not extras.installed("transformers"):
        yield
        return
    import functools
    import importlib

    gguf_utils: Any = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    hf_logging: Any = importlib.import_module("transformers.utils.logging")

    was = bool(hf_logging.is_progress_bar_enabled())
    hf_logging.disable_progress_bar()
    # The GGUF reader's own bar is plain tqdm, which the switch above does not reach.
    bar = getattr(gguf_utils, "tqdm", None)
    if bar is not None:
        gguf_utils.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        if bar is not None:
            gguf_utils.tqdm = bar
        if was:
            hf_logging.enable_progress_bar()


def write_tokenizer(student: Student, target: Path) -> None:
    """The run's tokenizer, with the chat template in effect, into a checkpoint folder: the
    student's own tokenizer files (a Hugging Face folder), or ``tokenizer.json`` and
    ``tokenizer_config.json`` rebuilt from a GGUF file by our reader."""
    source = student.tokenizer
    config: dict[str, Any] = {}
    if student.tokenizer_files is not None:
        for name in TOKENIZER_FILES:
            if name != "chat_template.json" and (student.tokenizer_files / name).is_file():
                shutil.copyfile(student.tokenizer_files / name, target / name)
        config_file = target / "tokenizer_config.json"
        if config_file.is_file():
            loaded = json.loads(read_text(config_file))
            config = loaded if isinstance(loaded, dict) else {}
    else:
        atomic_write_text(target / "tokenizer.json", source.tokenizer_json)
        config = {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": 1_000_000_000,
            "clean_up_tokenization_spaces": False,
            **source.special_tokens,
        }
    config["chat_template"] = source.chat_template
    atomic_write_text(
        target / "tokenizer_config.json", json.dumps(config, indent=2, ensure_ascii=False)
    )
    atomic_write_text(target / "chat_template.jinja", source.chat_template)


def load_model(
    student: Student,
    *,
    device: Any,
    attn_implementation: str | None = None,
) -> Any:
    """The student's weights as an fp32 ``AutoModelForCausalLM`` on ``device``, ready to train."""
    torch = _need("torch")
    transformers = _need("transformers")
    kwargs: dict[str, Any] = {
        "dtype": torch.float32,
        "local_files_only": True,
        "trust_remote_code": student.trust_remote_code,
    }
    if attn_implementation is not None:
        kwargs["attn_implementation"] = attn_implementation
    with quiet_progress():
        try:
            model = transformers.AutoModelForCausalLM.from_pretrained(
                str(student.model_dir), **kwargs
            )
        except (OSError, ValueError, KeyError) as exc:
            raise _bad_model(student.path, f"could not be loaded: {exc}") from None
    model.to(device)
    model.config.use_cache = False
    return model
