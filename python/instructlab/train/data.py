"""Training-data preparation: messages JSONL in, a tokenised and masked Parquet dataset out.

The work is one parallel pass in Rust (``instructlab._native.PackEngine``): render each
conversation with the model's chat template, tokenise, mask (assistant turns and their end-of-turn
token are learned; ``unmask: true`` records learn all but the system prompt; the legacy
``pretraining`` role is raw text, all learned), and drop samples too short or too long, counted by
reason. Python reads the input in chunks (so a progress bar moves and Ctrl-C stops between
chunks), writes ``data.parquet`` and ``summary.json``, and skips all of it when the input, the
tokenizer and the settings are unchanged since the last run (content hash).

The output folder holds:

- ``data.parquet``: one row per kept sample: ``input_ids`` (list<int32>), ``labels``
  (list<int32>, -100 where not learned), ``length``, ``learned``, ``source_file``,
  ``source_line`` (1-based) and ``source_id`` (the record's ``id``, or empty);
- ``summary.json``: counts, drops by reason (with a few examples), token totals, a length
  histogram, the packing plan's figures, and the cache key.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab import _native, extras
from instructlab.errors import FileError, UsageError
from instructlab.fileio import atomic_open, atomic_write_text, check_dir, ensure_dir
from instructlab.models.tokenizer import TokenizerSource, load_tokenizer

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["DATASET_FILE", "SUMMARY_FILE", "PackingSettings", "ProcessSummary", "process_data"]

DATASET_FILE = "data.parquet"
SUMMARY_FILE = "summary.json"
#: Bumped whenever the engine's output for the same input could change.
ENGINE_VERSION = "1"
_EXAMPLES_PER_REASON = 3
_HASH_BLOCK = 1 << 20

#: ``progress(bytes_done, bytes_total)``.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PackingSettings:
    """What the packing plan in the summary is made for (the trainer's settings)."""

    token_budget: int
    ranks: int = 1
    effective_batch_size: int = 64
    seed: int | None = 42


@dataclass
class ProcessSummary:
    """What ``process_data`` did: also written to ``summary.json`` in the output folder."""

    output_dir: str
    dataset: str
    records: int
    kept: int
    dropped: dict[str, int]
    drop_examples: list[dict[str, Any]]
    tokens: int
    learned_tokens: int
    max_length: int
    mean_length: float
    length_histogram: list[dict[str, int]]
    settings: dict[str, Any]
    tokenizer: str
    cache_key: str
    inputs: list[dict[str, Any]]
    packing: dict[str, Any] | None = None
    seconds: float = 0.0
    reused: bool = field(default=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as written to ``summary.json``."""
        return asdict(self)


def _input_files(data_path: Path) -> list[Path]:
    if data_path.is_file():
        return [data_path]
    if data_path.is_dir():
        files = sorted(p for p in data_path.rglob("*.jsonl") if p.is_file())
        if files:
            return files
        raise FileError(str(data_path), "holds no .jsonl files")
    raise FileError(str(data_path), "does not exist")


def _content_hash(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while block := f.read(_HASH_BLOCK):
                h.update(block)
    except OSError as exc:
        raise FileError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    return h.hexdigest()


def _describe_inputs(files: list[Path], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Path, size, mtime and content hash of each input; the hash is reused when the size and
    modification time match the previous run's (the file was not touched)."""
    known = {d["path"]: d for d in (previous or {}).get("inputs", []) if isinstance(d, dict)}
    out = []
    for f in files:
        st = f.stat()
        entry = {"path": str(f.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        old = known.get(entry["path"])
        if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            entry["sha256"] = old.get("sha256", "")
        else:
            entry["sha256"] = _content_hash(f)
        out.append(entry)
    return out


def _cache_key(
    inputs: list[dict[str, Any]], tokenizer: TokenizerSource, settings: dict[str, Any]
) -> str:
    h = hashlib.sha256()
    h.update(f"engine {ENGINE_VERSION}\0".encode())
    h.update(tokenizer.fingerprint.encode())
    h.update(json.dumps(settings, sort_keys=True).encode())
    for entry in inputs:
        h.update(f"\0{entry['sha256']}".encode())
    return h.hexdigest()


def _chunks(
    files: list[Path], chunk_size: int
) -> Iterator[tuple[list[str], list[tuple[int, int]], list[tuple[int, int, str]], int]]:
    """Yields (lines, (file index, line number) per line, undecodable lines, bytes read)."""
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    bad: list[tuple[int, int, str]] = []
    done = 0
    for fi, path in enumerate(files):
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise FileError(str(path), f"cannot be read: {exc.strerror or exc}") from None
        with handle:
            for number, raw in enumerate(handle, start=1):
                done += len(raw)
                if not raw.strip():
                    continue
                try:
                    lines.append(raw.decode("utf-8"))
                    where.append((fi, number))
                except UnicodeDecodeError:
                    bad.append((fi, number, "the line is not valid UTF-8"))
                if len(lines) >= chunk_size:
                    yield lines, where, bad, done
                    lines, where, bad = [], [], []
    if lines or bad:
        yield lines, where, bad, done


def _histogram(lengths: npt.NDArray[np.int32], max_seq_len: int) -> list[dict[str, int]]:
    import numpy as np

    edges = [0, 64]
    while edges[-1] < max_seq_len:
        edges.append(edges[-1] * 2)
    counts, _ = np.histogram(lengths, bins=np.array([*edges[:-1], max(edges[-1], 1) + 1]))
    return [{"from": edges[i], "to": edges[i + 1], "count": int(c)} for i, c in enumerate(counts)]


def _need(module: str) -> Any:
    return extras.require(module, "train", "preparing training data")


def _load_previous(summary_file: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(summary_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def process_data(
    data_path: str | Path,
    tokenizer_path: str | Path,
    output_dir: str | Path,
    max_seq_len: int = 4096,
    *,
    min_seq_len: int = 2,
    chat_template: str | Path | None = None,
    end_of_turn: str | None = None,
    packing: PackingSettings | None = None,
    chunk_size: int = 4096,
    force: bool = False,
    progress: Progress | None = None,
    tokenizer_cache_dir: Path | None = None,
) -> ProcessSummary:
    """Renders, tokenises and masks every record of ``data_path`` (a ``.jsonl`` file or a folder
    of them) for the tokenizer at ``tokenizer_path`` (model folder, ``tokenizer.json`` or
    ``.gguf``); writes ``data.parquet`` and ``summary.json`` into ``output_dir``.

    A second call with the same input files, tokenizer and settings returns the previous summary
    (``reused=True``) without redoing the work, unless ``force``.
    """
    for name, value, least in (
        ("max_seq_len", max_seq_len, 1),
        ("min_seq_len", min_seq_len, 0),
        ("chunk_size", chunk_size, 1),
    ):
        if value < least:
            raise UsageError(f"{name}: must be at least {least}, got {value}", name)
    if min_seq_len > max_seq_len:
        raise UsageError(
            f"min_seq_len: {min_seq_len} is above max_seq_len ({max_seq_len}); no sample could fit",
            "min_seq_len",
        )
    started = time.perf_counter()
    np = _need("numpy")
    files = _input_files(Path(data_path))
    tokenizer = load_tokenizer(tokenizer_path, chat_template, tokenizer_cache_dir)
    out = check_dir(Path(output_dir), "folder for the prepared data")
    summary_file = out / SUMMARY_FILE
    dataset_file = out / DATASET_FILE
    previous = _load_previous(summary_file)
    settings: dict[str, Any] = {
        "max_seq_len": max_seq_len,
        "min_seq_len": min_seq_len,
        "end_of_turn": end_of_turn,
        "packing": asdict(packing) if packing else None,
    }
    inputs = _describe_inputs(files, previous)
    key = _cache_key(inputs, tokenizer, settings)
    reusable = bool(previous and previous.get("kept") and previous.get("cache_key") == key)
    if not force and previous is not None and reusable and dataset_file.is_file():
        previous.update(reused=True, seconds=time.perf_counter() - started)
        try:
            return ProcessSummary(**previous)
        except TypeError:  # written by another version: redo the work
            pass

    engine = _native.PackEngine(
        tokenizer.tokenizer_json,
        tokenizer.chat_template,
        tokenizer.special_tokens,
        max_seq_len,
        min_seq_len,
        end_of_turn,
        tokenizer.origin,
    )
    total_bytes = sum(e["size"] for e in inputs)
    ids_parts: list[Any] = []
    label_parts: list[Any] = []
    length_parts: list[Any] = []
    learned_parts: list[Any] = []
    file_parts: list[Any] = []
    line_parts: list[Any] = []
    source_ids: list[str] = []
    dropped = {name: 0 for name in _DROP_NAMES}
    examples: list[dict[str, Any]] = []
    records = 0
    for lines, where, bad, done in _chunks(files, chunk_size):
        records += len(lines) + len(bad)
        for fi, number, detail in bad:
            _count_drop(dropped, examples, "invalid_record", str(files[fi]), number, detail)
        if lines:
            batch = engine.process(lines)
            offsets = np.frombuffer(batch["offsets"], dtype="<u8")
            ids_parts.append(np.frombuffer(batch["input_ids"], dtype="<u4"))
            label_parts.append(np.frombuffer(batch["labels"], dtype="<i4"))
            length_parts.append(np.diff(offsets).astype(np.int32))
            learned_parts.append(np.frombuffer(batch["learned"], dtype="<u4").astype(np.int32))
            index = np.frombuffer(batch["record_index"], dtype="<u4")
            located = np.array(where, dtype=np.int64).reshape(-1, 2)[index]
            file_parts.append(located[:, 0].astype(np.int32))
            line_parts.append(located[:, 1])
            source_ids.extend(batch["record_id"])
            for i, reason, detail in batch["dropped"]:
                fi, number = where[i]
                _count_drop(dropped, examples, reason, str(files[fi]), number, detail)
        if progress is not None:
            progress(done, total_bytes)

    def cat(parts: list[Any], dtype: str) -> Any:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    ids = cat(ids_parts, "int32")
    labels = cat(label_parts, "int32")
    lengths = cat(length_parts, "int32")
    learned = cat(learned_parts, "int32")
    file_index = cat(file_parts, "int32")
    line_numbers = cat(line_parts, "int64")
    if len(lengths) == 0:
        if dropped.get("too_long"):
            raise _all_too_long(data_path, files, tokenizer, max_seq_len, end_of_turn, records)
        raise _nothing_kept(data_path, records, dropped, examples)
    ensure_dir(out)
    _write_parquet(
        dataset_file,
        ids,
        labels,
        lengths,
        learned,
        [str(f) for f in files],
        file_index,
        line_numbers,
        source_ids,
    )
    packing_stats = None
    if packing is not None:
        from instructlab.train.packing import plan_packing

        plan = plan_packing(
            lengths, packing.token_budget, packing.ranks, packing.effective_batch_size, packing.seed
        )
        packing_stats = {**asdict(packing), **plan.stats}
    summary = ProcessSummary(
        output_dir=str(out),
        dataset=str(dataset_file),
        records=records,
        kept=len(lengths),
        dropped=dropped,
        drop_examples=examples,
        tokens=int(lengths.sum()),
        learned_tokens=int(learned.sum()),
        max_length=int(lengths.max()) if len(lengths) else 0,
        mean_length=float(lengths.mean()) if len(lengths) else 0.0,
        length_histogram=_histogram(lengths, max_seq_len),
        settings=settings,
        tokenizer=tokenizer.origin,
        cache_key=key,
        inputs=inputs,
        packing=packing_stats,
        seconds=time.perf_counter() - started,
    )
    atomic_write_text(summary_file, json.dumps(summary.to_dict(), indent=2))
    return summary


#: The share of samples the suggested ``max_seq_len`` keeps when every sample was too long.
_KEEP_SHARE = 0.95


def _all_too_long(
    data_path: str | Path,
    files: list[Path],
    tokenizer: TokenizerSource,
    max_seq_len: int,
    end_of_turn: str | None,
    records: int,
) -> FileError:
    """Every sample was dropped for its length: their lengths (a second pass without the
    limit), as a histogram, and the limit that keeps 95% of them."""
    np = _need("numpy")
    engine = _native.PackEngine(
        tokenizer.tokenizer_json,
        tokenizer.chat_template,
        tokenizer.special_tokens,
        2**31 - 1,
        0,
        end_of_turn,
        tokenizer.origin,
    )
    parts = []
    for lines, _where, _bad, _done in _chunks(files, 4096):
        if lines:
            offsets = np.frombuffer(engine.process(lines)["offsets"], dtype="<u8")
            parts.append(np.diff(offsets))
    lengths = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    if len(lengths) == 0:
        return _nothing_kept(data_path, records, {"too_long": records}, [])
    keep = int(np.ceil(np.quantile(lengths, _KEEP_SHARE, method="higher")))
    bins = ", ".join(
        f"{b['from']}-{b['to']}: {b['count']}"
        for b in _histogram(lengths.astype(np.int32), int(lengths.max()))
        if b["count"]
    )
    return FileError(
        str(data_path),
        f"every sample is longer than max_seq_len ({max_seq_len} tokens), so none of the "
        f"{records} records was kept; their lengths in tokens: {bins}; a max_seq_len of {keep} "
        f"(--max-seq-len {keep}) keeps {_KEEP_SHARE:.0%} of them. Nothing was written.",
    )


def _nothing_kept(
    data_path: str | Path, records: int, dropped: dict[str, int], examples: list[dict[str, Any]]
) -> FileError:
    reasons = ", ".join(f"{n.replace('_', ' ')}: {c}" for n, c in dropped.items() if c)
    example = (
        f"; e.g. {examples[0]['file']}:{examples[0]['line']}: {examples[0]['detail']}"
        if examples
        else ""
    )
    return FileError(
        str(data_path),
        f"no training sample kept of {records} records ({reasons or 'no records'}){example}. "
        "Nothing was written.",
    )


_DROP_NAMES = ("invalid_record", "template_error", "too_short", "too_long", "nothing_to_learn")


def _count_drop(
    dropped: dict[str, int],
    examples: list[dict[str, Any]],
    reason: str,
    file: str,
    line: int,
    detail: str,
) -> None:
    dropped[reason] = dropped.get(reason, 0) + 1
    if dropped[reason] <= _EXAMPLES_PER_REASON:
        examples.append({"reason": reason, "file": file, "line": line, "detail": detail})


def _write_parquet(
    path: Path,
    ids: Any,
    labels: Any,
    lengths: Any,
    learned: Any,
    files: list[str],
    file_index: Any,
    line_numbers: Any,
    source_ids: list[str],
) -> None:
    import numpy as np

    pa = _need("pyarrow")
    pq = _need("pyarrow.parquet")
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    offsets_arr = pa.array(offsets, type=pa.int64())
    table = pa.table(
        {
            "input_ids": pa.LargeListArray.from_arrays(offsets_arr, pa.array(ids, pa.int32())),
            "labels": pa.LargeListArray.from_arrays(offsets_arr, pa.array(labels, pa.int32())),
            "length": pa.array(lengths, pa.int32()),
            "learned": pa.array(learned, pa.int32()),
            "source_file": pa.DictionaryArray.from_arrays(
                pa.array(file_index, pa.int32()), pa.array(files, pa.string())
            ),
            "source_line": pa.array(line_numbers, pa.int64()),
            "source_id": pa.array(source_ids, pa.string()),
        }
    )
    with atomic_open(path, "wb") as handle:
        pq.write_table(table, handle)


def read_dataset(output_dir: str | Path) -> Any:
    """The prepared dataset as a ``pyarrow.Table``."""
    pq = _need("pyarrow.parquet")
    path = Path(output_dir) / DATASET_FILE
    if not path.is_file():
        raise FileError(str(path), "does not exist; run process_data first")
    return pq.read_table(path)
