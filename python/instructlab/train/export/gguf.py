"""A Hugging Face causal LM folder to one GGUF file (f16 weights, f32 norms and biases), written
with the ``gguf`` package, for the llama family: ``llama``, ``mistral`` (GGUF architecture
``llama``), ``granite`` and ``qwen2``.

What llama.cpp needs, and where it comes from:

- hyper-parameters from ``config.json`` (``rope_theta`` or transformers 5's ``rope_parameters``;
  linear and Llama 3 RoPE scaling; Granite's four multipliers);
- the weights under llama.cpp's tensor names (the ``gguf`` package's own name map). The llama
  and granite graphs rotate query/key pairs interleaved where transformers rotates halves, so
  their ``q_proj``/``k_proj`` rows are permuted back (as llama.cpp's converter does); qwen2 rotates
  halves (NEOX) and is written as it is. A tied output layer is not written: llama.cpp reuses the
  token embeddings when ``output.weight`` is missing;
- the tokenizer from ``tokenizer.json`` (tokens, types, special ids, the chat template):
  a byte-level BPE as llama.cpp's ``gpt2`` model, with its merges. llama.cpp splits text with
  one of its named pre-tokenizers; the name is read off the structure of ``tokenizer.json``'s
  pre-tokenizer (GPT-2's, SmolLM's digits-first, Llama 3's or Qwen 2's splitting pattern), the
  reverse of what our GGUF tokenizer reader (``rust/instructlab-core/src/pack/gguf.rs``)
  builds; any other pre-tokenizer is refused by name rather than written wrongly. A
  SentencePiece-style BPE (``▁`` for spaces: Llama 2, Mistral, Granite 7B) becomes llama.cpp's
  ``llama`` model, each token scored minus the rank of the first merge that makes it, so that
  llama.cpp's highest-score-first merging follows the BPE's merge order.

The tensors are streamed: their shapes are read from the safetensors headers, the header of the
GGUF is written, then each tensor is loaded, converted and written in turn, so memory holds one
tensor at a time (plus the input's memory map). The file is written beside its place and renamed
into it when complete.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructlab import extras
from instructlab.errors import UsageError
from instructlab.fileio import ensure_dir, read_text

__all__ = ["SUPPORTED_ARCHITECTURES", "GGUFSource", "write_gguf"]

#: ``config.json``'s ``model_type`` -> the GGUF architecture it is written as.
SUPPORTED_ARCHITECTURES = {
    "llama": "llama",
    "mistral": "llama",
    "granite": "granite",
    "qwen2": "qwen2",
}
# Architectures whose attention llama.cpp runs with interleaved RoPE (q/k rows permuted).
_PERMUTED = {"llama", "granite"}
# Tensors transformers keeps that llama.cpp computes itself.
_SKIPPED_SUFFIXES = (".rotary_emb.inv_freq",)

# tokenizer.json splitting patterns, as our GGUF tokenizer reader writes them for llama.cpp's
# pre-tokenizer names (and as Llama 3 and Qwen 2 ship them).
_LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _bad(path: Path, detail: str) -> UsageError:
    return UsageError(f"{path}: {detail}", "model_dir")


@dataclass
class GGUFSource:
    """The weights to write: names, shapes and a loader (one tensor at a time)."""

    shapes: dict[str, tuple[int, ...]]
    load: Callable[[str], Any]


@contextlib.contextmanager
def safetensors_source(model_dir: Path) -> Iterator[GGUFSource]:
    """The weights of a folder of ``*.safetensors`` files (one or many shards), memory-mapped."""
    safetensors = extras.require("safetensors", "train", "converting a model to GGUF")
    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise _bad(model_dir, "holds no *.safetensors weights (a checkpoint of `ilab model train`)")
    with contextlib.ExitStack() as stack:
        where: dict[str, Any] = {}
        shapes: dict[str, tuple[int, ...]] = {}
        for file in files:
            try:
                handle = stack.enter_context(safetensors.safe_open(str(file), framework="pt"))
            except (OSError, ValueError, RuntimeError) as exc:
                raise _bad(file, f"could not be read as safetensors: {exc}") from None
            for name in handle.keys():  # noqa: SIM118 - safe_open has no __iter__
                where[name] = handle
                shapes[name] = tuple(handle.get_slice(name).get_shape())
        yield GGUFSource(shapes, lambda name: where[name].get_tensor(name))


def _config(model_dir: Path) -> dict[str, Any]:
    config_file = model_dir / "config.json"
    if not config_file.is_file():
        raise _bad(model_dir, "is not a Hugging Face model folder (no config.json)")
    try:
        config = json.loads(read_text(config_file))
    except ValueError as exc:
        raise _bad(config_file, f"is not valid JSON: {exc}") from None
    if not isinstance(config, dict):
        raise _bad(config_file, "does not hold a JSON object")
    return config


def architecture_of(model_dir: Path) -> str:
    """The GGUF architecture ``model_dir`` converts to; an unsupported one is refused by name."""
    model_type = str(_config(model_dir).get("model_type", ""))
    if model_type not in SUPPORTED_ARCHITECTURES:
        known = ", ".join(SUPPORTED_ARCHITECTURES)
        raise _bad(
            model_dir,
            f"architecture {model_type or '(none)'!r} cannot be converted to GGUF here "
            f"(supported: {known})",
        )
    return SUPPORTED_ARCHITECTURES[model_type]


def _rope(config: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """RoPE base and scaling, from transformers 4's or 5's way of writing them."""
    params = config.get("rope_parameters") or {}
    scaling = config.get("rope_scaling") or {}
    theta = config.get("rope_theta") or params.get("rope_theta") or 10000.0
    merged = {**params, **scaling}
    kind = str(merged.get("rope_type") or merged.get("type") or "default")
    merged["rope_type"] = kind
    return float(theta), merged


def _llama3_rope_factors(theta: float, head_dim: int, scaling: dict[str, Any]) -> Any:
    """Llama 3's per-frequency RoPE factors (llama.cpp reads them from ``rope_freqs.weight``)."""
    import numpy as np

    factor = float(scaling.get("factor", 8.0))
    low = float(scaling.get("low_freq_factor", 1.0))
    high = float(scaling.get("high_freq_factor", 4.0))
    old_context = float(scaling.get("original_max_position_embeddings", 8192))
    low_wavelen = old_context / low
    high_wavelen = old_context / high
    factors = []
    for i in range(0, head_dim, 2):
        freq = 1.0 / (theta ** (i / head_dim))
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            factors.append(1.0)
        elif wavelen > low_wavelen:
            factors.append(factor)
        else:
            smooth = (old_context / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.asarray(factors, dtype=np.float32)


def _permute(weights: Any, n_head: int) -> Any:
    """transformers' half-split RoPE rows -> llama.cpp's interleaved pairs."""
    rows = weights.shape[0]
    return (
        weights.reshape(n_head, 2, rows // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def _pre_tokenizer(spec: Any) -> str | None:
    """llama.cpp's name for a ``tokenizer.json`` pre-tokenizer, or None if it has none."""
    if not isinstance(spec, dict):
        return None
    kind = spec.get("type")
    if kind == "ByteLevel":
        return "gpt-2" if spec.get("use_regex", True) else None
    if kind != "Sequence":
        return None
    parts = spec.get("pretokenizers") or []
    kinds = [p.get("type") for p in parts if isinstance(p, dict)]
    if kinds == ["Digits", "ByteLevel"] and parts[0].get("individual_digits"):
        return "smollm" if parts[1].get("use_regex", True) else None
    if kinds == ["Split", "ByteLevel"] and not parts[1].get("use_regex", True):
        pattern = str((parts[0].get("pattern") or {}).get("Regex"))
        return {_LLAMA3_SPLIT: "llama-bpe", _QWEN2_SPLIT: "qwen2"}.get(pattern)
    return None


@dataclass
class _Vocab:
    #: llama.cpp's tokenizer model: ``gpt2`` (byte-level BPE) or ``llama`` (SentencePiece).
    model: str
    tokens: list[str]
    types: list[int]
    pre: str
    #: SentencePiece only: a score per token (higher merges first) and the leading space.
    scores: list[float] | None = None
    add_space_prefix: bool = False


def _is_sentencepiece(spec: dict[str, Any]) -> bool:
    """A BPE over ``▁``-for-space text (Llama 2, Mistral, Granite 7B), as transformers writes
    a SentencePiece model into ``tokenizer.json``."""
    parts = [spec.get("pre_tokenizer"), spec.get("normalizer"), spec.get("decoder")]
    return "\u2581" in json.dumps(parts, ensure_ascii=False)


def _space_prefix(spec: dict[str, Any]) -> bool:
    """Whether text gets a leading ``▁`` (a Metaspace prepend, or a Prepend normalizer)."""
    parts: list[Any] = [spec.get("pre_tokenizer"), spec.get("normalizer")]
    while parts:
        part = parts.pop()
        if not isinstance(part, dict):
            continue
        parts += part.get("pretokenizers") or part.get("normalizers") or []
        if part.get("type") == "Metaspace":
            scheme = part.get("prepend_scheme")
            if scheme is None:
                return bool(part.get("add_prefix_space", True))
            return scheme in ("first", "always")
        if part.get("type") == "Prepend":
            return True
    return False


def _merge_pairs(model: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for merge in model.get("merges") or []:
        if isinstance(merge, str):
            left, _, right = merge.partition(" ")
        else:
            left, right = str(merge[0]), str(merge[1])
        pairs.append((left, right))
    return pairs


def _vocab(model_dir: Path, n_vocab: int) -> _Vocab:
    """The vocabulary of ``tokenizer.json``, padded to the model's vocab size: byte-level BPE
    as llama.cpp's ``gpt2`` model, or a SentencePiece-style BPE as its ``llama`` model (scored
    so that llama.cpp's highest-score-first merging follows the BPE's merge order)."""
    import gguf

    tokenizer_file = model_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise _bad(model_dir, "has no tokenizer.json (a fast tokenizer is needed for GGUF)")
    try:
        spec = json.loads(read_text(tokenizer_file))
    except ValueError as exc:
        raise _bad(tokenizer_file, f"is not valid JSON: {exc}") from None
    model = spec.get("model") or {}
    decoder = spec.get("decoder") or {}
    byte_level = decoder.get("type") == "ByteLevel"
    if model.get("type") != "BPE" or not (byte_level or _is_sentencepiece(spec)):
        raise _bad(
            tokenizer_file,
            f"a {model.get('type')} tokenizer with a {decoder.get('type')} decoder cannot be "
            "written to GGUF here (byte-level BPE tokenizers can: Llama 3, Granite 3, Qwen 2, "
            "SmolLM, GPT-2 style; and SentencePiece-style BPE: Llama 2, Mistral)",
        )
    pre = "default"
    if byte_level:
        found = _pre_tokenizer(spec.get("pre_tokenizer"))
        if found is None:
            raise _bad(
                tokenizer_file,
                "its pre-tokenizer matches none llama.cpp knows by name here (GPT-2, SmolLM, "
                f"Llama 3, Qwen 2): {json.dumps(spec.get('pre_tokenizer'))[:200]}",
            )
        pre = found
    normal = int(gguf.TokenType.NORMAL)
    by_id: dict[int, tuple[str, int]] = {
        int(i): (str(t), normal) for t, i in model.get("vocab", {}).items()
    }
    if not byte_level:
        unk = model.get("unk_token")
        for token_id, (text, _) in list(by_id.items()):
            if text == unk:
                by_id[token_id] = (text, int(gguf.TokenType.UNKNOWN))
            elif model.get("byte_fallback") and re.fullmatch(r"<0x[0-9A-F]{2}>", text):
                by_id[token_id] = (text, int(gguf.TokenType.BYTE))
    for added in spec.get("added_tokens") or []:
        special = bool(added.get("special"))
        token_type = gguf.TokenType.CONTROL if special else gguf.TokenType.USER_DEFINED
        if not byte_level and added.get("content") == model.get("unk_token"):
            token_type = gguf.TokenType.UNKNOWN
        by_id[int(added["id"])] = (str(added["content"]), int(token_type))
    size = max(by_id) + 1 if by_id else 0
    if size > n_vocab:
        raise _bad(
            tokenizer_file,
            f"has {size} tokens but the model's embeddings have {n_vocab} rows",
        )
    tokens: list[str] = []
    types: list[int] = []
    for token_id in range(n_vocab):
        text, token_type_id = by_id.get(token_id, (f"[PAD{token_id}]", int(gguf.TokenType.UNUSED)))
        tokens.append(text)
        types.append(token_type_id)
    if byte_level:
        return _Vocab("gpt2", tokens, types, pre)
    # llama.cpp merges the adjacent pair whose joined text is the vocabulary entry of highest
    # score; scoring each token minus the rank of the first merge that makes it reproduces the
    # BPE's order. Tokens no merge makes rank after every merge.
    rank: dict[str, int] = {}
    for index, (left, right) in enumerate(_merge_pairs(model)):
        rank.setdefault(left + right, index)
    last = len(rank) + 1
    scores = [
        -float(rank.get(text, 0 if len(text) == 1 else last + token_id))
        for token_id, text in enumerate(tokens)
    ]
    return _Vocab("llama", tokens, types, pre, scores, _space_prefix(spec))


def _plan(
    arch: str, source: GGUFSource, config: dict[str, Any], n_layers: int
) -> list[tuple[str, str]]:
    """(HF name, GGUF name) for every tensor written; unknown tensors are refused by name."""
    import gguf

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[arch.upper()], n_layers)
    tied = bool(config.get("tie_word_embeddings", False))
    plan: list[tuple[str, str]] = []
    unknown: list[str] = []
    for name in source.shapes:
        if name.endswith(_SKIPPED_SUFFIXES) or (tied and name == "lm_head.weight"):
            continue
        mapped = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if mapped is None:
            unknown.append(name)
        else:
            plan.append((name, mapped))
    if unknown:
        listed = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise UsageError(f"model_dir: tensors llama.cpp has no place for: {listed}", "model_dir")
    written = {g for _, g in plan}
    if "token_embd.weight" not in written:
        raise UsageError("model_dir: the model has no token embeddings", "model_dir")
    if not tied and "output.weight" not in written:
        raise UsageError(
            "model_dir: the model has no lm_head.weight and does not tie its embeddings",
            "model_dir",
        )
    return plan


def write_gguf(
    model_dir: Path,
    target: Path,
    *,
    name: str | None = None,
    source: GGUFSource | None = None,
) -> Path:
    """Writes ``model_dir`` (a Hugging Face folder) to ``target`` as GGUF f16; returns ``target``.

    ``source`` replaces the folder's own weights (a model with an adapter merged in memory).
    """
    extras.require("gguf", "train", "converting a model to GGUF")
    extras.require("numpy", "train", "converting a model to GGUF")
    config = _config(model_dir)
    arch = architecture_of(model_dir)
    if source is None:
        with safetensors_source(model_dir) as weights:
            return _write(model_dir, target, config, arch, weights, name)
    return _write(model_dir, target, config, arch, source, name)


def _write(
    model_dir: Path,
    target: Path,
    config: dict[str, Any],
    arch: str,
    source: GGUFSource,
    name: str | None,
) -> Path:
    import gguf
    import numpy as np

    n_layers = int(config["num_hidden_layers"])
    n_embd = int(config["hidden_size"])
    n_head = int(config["num_attention_heads"])
    n_head_kv = int(config.get("num_key_value_heads") or n_head)
    head_dim = int(config.get("head_dim") or n_embd // n_head)
    embed_shape = source.shapes.get("model.embed_tokens.weight")
    n_vocab = int(embed_shape[0]) if embed_shape else int(config["vocab_size"])
    theta, scaling = _rope(config)
    vocab = _vocab(model_dir, n_vocab)
    plan = _plan(arch, source, config, n_layers)

    ensure_dir(target.parent)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    writer = gguf.GGUFWriter(str(partial), arch)
    try:
        writer.add_name(name or model_dir.name)
        writer.add_file_type(int(gguf.LlamaFileType.MOSTLY_F16))
        writer.add_context_length(int(config.get("max_position_embeddings", 4096)))
        writer.add_embedding_length(n_embd)
        writer.add_block_count(n_layers)
        writer.add_feed_forward_length(int(config["intermediate_size"]))
        writer.add_head_count(n_head)
        writer.add_head_count_kv(n_head_kv)
        writer.add_layer_norm_rms_eps(float(config.get("rms_norm_eps", 1e-6)))
        writer.add_rope_freq_base(theta)
        writer.add_rope_dimension_count(head_dim)
        writer.add_vocab_size(n_vocab)
        if head_dim != n_embd // n_head:
            writer.add_key_length(head_dim)
            writer.add_value_length(head_dim)
        extra: list[tuple[str, Any]] = []
        kind = scaling["rope_type"]
        if kind == "linear":
            writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
            writer.add_rope_scaling_factor(float(scaling["factor"]))
        elif kind == "llama3" and arch == "llama":
            extra.append(("rope_freqs.weight", _llama3_rope_factors(theta, head_dim, scaling)))
        elif kind != "default":
            raise _bad(model_dir, f"RoPE scaling {kind!r} cannot be converted to GGUF here")
        if arch == "granite":
            writer.add_attention_scale(float(config.get("attention_multiplier", 1.0)))
            writer.add_embedding_scale(float(config.get("embedding_multiplier", 1.0)))
            writer.add_residual_scale(float(config.get("residual_multiplier", 1.0)))
            writer.add_logit_scale(float(config.get("logits_scaling", 1.0)))

        writer.add_tokenizer_model(vocab.model)
        writer.add_tokenizer_pre(vocab.pre)
        writer.add_token_list(vocab.tokens)
        if vocab.scores is not None:
            writer.add_token_scores(vocab.scores)
            writer.add_add_space_prefix(vocab.add_space_prefix)
        writer.add_token_types(vocab.types)
        special = gguf.SpecialVocab(model_dir, load_merges=vocab.model == "gpt2", n_vocab=n_vocab)
        special.add_to_gguf(writer, quiet=True)

        def converted(hf_name: str, gguf_name: str) -> Any:
            tensor = source.load(hf_name)
            array = tensor.float().numpy() if hasattr(tensor, "float") else np.asarray(tensor)
            if arch in _PERMUTED and gguf_name.endswith(("attn_q.weight", "attn_q.bias")):
                array = _permute(array, n_head)
            elif arch in _PERMUTED and gguf_name.endswith(("attn_k.weight", "attn_k.bias")):
                array = _permute(array, n_head_kv)
            return array.astype(np.float16 if array.ndim >= 2 else np.float32)

        for hf_name, gguf_name in plan:
            shape = source.shapes[hf_name]
            dtype = np.dtype(np.float16 if len(shape) >= 2 else np.float32)
            writer.add_tensor_info(
                gguf_name, shape, dtype, int(np.prod(shape)) * dtype.itemsize, raw_dtype=None
            )
        for gguf_name, array in extra:
            writer.add_tensor_info(gguf_name, array.shape, array.dtype, array.nbytes)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for hf_name, gguf_name in plan:
            writer.write_tensor_data(converted(hf_name, gguf_name))
        for _, array in extra:
            writer.write_tensor_data(array)
        writer.close()
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
    return target
