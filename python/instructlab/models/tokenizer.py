"""Where a tokenizer and chat template come from: a Hugging Face model folder, a
``tokenizer.json`` file, or a GGUF file (converted once, then cached).

transformers keeps the chat template in ``tokenizer_config.json`` (``chat_template``: a string, or
a list of named templates), in ``chat_template.jinja`` or in ``chat_template.json``; special tokens
in ``tokenizer_config.json`` as strings or as ``{"content": ...}`` objects. All are read here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab import _native
from instructlab.config import paths
from instructlab.errors import TokenizerError
from instructlab.fileio import atomic_write_text, read_text
from instructlab.models.chat_template import template_text
from instructlab.models.embedded import embedded_model_path, is_embedded

__all__ = ["TokenizerSource", "load_tokenizer"]

_SPECIAL_NAMES = ("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token")


@dataclass(frozen=True)
class TokenizerSource:
    """A tokenizer (as ``tokenizer.json`` text), its chat template and special tokens."""

    tokenizer_json: str
    chat_template: str
    special_tokens: dict[str, str] = field(default_factory=dict)
    #: The file or folder it came from, for messages and the summary.
    origin: str = ""

    @property
    def fingerprint(self) -> str:
        """A hash of everything that decides the token ids and labels."""
        h = hashlib.sha256()
        for part in (self.tokenizer_json, self.chat_template, json.dumps(self.special_tokens)):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()


def _token_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return str(value["content"])
    return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path, what="a JSON file of the tokenizer"))
    except json.JSONDecodeError as exc:
        raise TokenizerError(
            str(path), f"is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None


def _template_from_config(config: dict[str, Any], where: Path) -> str | None:
    template = config.get("chat_template")
    if template is None or isinstance(template, str):
        return template
    if isinstance(template, list):
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        chosen = named.get("default")
        if isinstance(chosen, str):
            return chosen
    raise TokenizerError(str(where), "chat_template must be a string or a list with a 'default'")


def _from_folder(folder: Path, tokenizer_file: Path) -> tuple[str, str | None, dict[str, str]]:
    if not tokenizer_file.is_file():
        raise TokenizerError(
            str(folder),
            "has no tokenizer.json; give a Hugging Face model folder, a tokenizer.json or a .gguf",
        )
    tokenizer_json = read_text(tokenizer_file, what="a tokenizer.json")
    config_file = folder / "tokenizer_config.json"
    config: dict[str, Any] = _read_json(config_file) if config_file.is_file() else {}
    specials = {
        name: text for name in _SPECIAL_NAMES if (text := _token_text(config.get(name))) is not None
    }
    template = _template_from_config(config, config_file)
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        template = read_text(jinja, what="a chat template")
    elif (folder / "chat_template.json").is_file():
        loaded = _read_json(folder / "chat_template.json")
        if isinstance(loaded, dict):
            template = _template_from_config(loaded, folder / "chat_template.json")
    return tokenizer_json, template, specials


def _gguf_cache_dir(gguf: Path, cache_dir: Path | None) -> Path:
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    base = cache_dir if cache_dir is not None else paths.cache_dir() / "tokenizers"
    return base / f"{gguf.stem}-{key.hexdigest()[:16]}"


def _from_gguf(gguf: Path, cache_dir: Path | None) -> Path:
    """Converts the GGUF's tokenizer to a model-folder layout once; returns that folder."""
    folder = _gguf_cache_dir(gguf, cache_dir)
    if (folder / "tokenizer.json").is_file() and (folder / "tokenizer_config.json").is_file():
        return folder
    tokenizer_json, template, specials = _native.gguf_tokenizer(gguf)
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": 1_000_000_000,
        "clean_up_tokenization_spaces": False,
        **specials,
    }
    if template is not None:
        config["chat_template"] = template
    atomic_write_text(folder / "tokenizer.json", tokenizer_json)
    atomic_write_text(
        folder / "tokenizer_config.json", json.dumps(config, indent=2, ensure_ascii=False)
    )
    return folder


def load_tokenizer(
    path: str | Path,
    chat_template: str | Path | None = None,
    cache_dir: Path | None = None,
) -> TokenizerSource:
    """Loads a tokenizer from a model folder, a ``tokenizer.json`` or a ``.gguf`` file.

    ``chat_template`` (a template, or a file holding one) replaces the model's own. A GGUF file is
    converted to ``tokenizer.json`` + ``tokenizer_config.json`` once, under ``cache_dir``
    (default ``~/.cache/instructlab/tokenizers``).
    """
    source = embedded_model_path() if is_embedded(str(path)) else Path(path)
    if not source.exists():
        raise TokenizerError(str(source), "does not exist")
    if source.is_file() and source.suffix == ".gguf":
        folder = _from_gguf(source, cache_dir)
        tokenizer_file = folder / "tokenizer.json"
    elif source.is_file():
        folder, tokenizer_file = source.parent, source
    else:
        folder, tokenizer_file = source, source / "tokenizer.json"
    tokenizer_json, template, specials = _from_folder(folder, tokenizer_file)
    if chat_template is not None:
        template = template_text(chat_template)
    if template is None:
        raise TokenizerError(
            str(source),
            "has no chat template; pass one (a template or a file) with chat_template=",
        )
    return TokenizerSource(tokenizer_json, template, specials, origin=str(source))
