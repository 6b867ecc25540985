"""The SDK, fed what a new user might pass: an InstructLabError naming the argument or path,
never a TypeError, AttributeError or raw OSError from deep inside."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from instructlab.core import Config, Data, Model, System, Taxonomy
from instructlab.errors import FileError, InstructLabError, ProcessNotFound, UsageError


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "file": tmp_path / "file.txt",
        "binary": tmp_path / "binary.jsonl",
        "empty": tmp_path / "empty.jsonl",
        "recipe": tmp_path / "recipe.yaml",
        "dir": tmp_path / "dir",
    }
    made["file"].write_text("text\n")
    made["binary"].write_bytes(b"\xff\xfe\x00\n")
    made["empty"].write_text("")
    made["recipe"].write_text("datasets: []\n")
    made["dir"].mkdir()
    return made


Case = tuple[str, Callable[[dict[str, Path]], Any], type[InstructLabError], str]

CASES: list[Case] = [
    (
        "dedup threshold text",
        lambda f: Data().dedup(f["file"], threshold="high"),
        UsageError,
        "threshold",
    ),
    ("dedup columns string", lambda f: Data().dedup(f["file"], columns="q"), UsageError, "columns"),
    (
        "dedup num_perm negative",
        lambda f: Data().dedup(f["file"], 0.8, num_perm=-1),
        UsageError,
        "num_perm",
    ),
    ("dedup binary file", lambda f: Data().dedup(f["binary"]), FileError, "binary.jsonl"),
    ("dedup empty file", lambda f: Data().dedup(f["empty"]), FileError, "holds no rows"),
    (
        "filter settings list",
        lambda f: Data().filter(f["file"], settings=[1]),
        UsageError,
        "settings",
    ),
    (
        "decontaminate ngram 0",
        lambda f: Data().decontaminate(f["file"], ["x"], 0),
        UsageError,
        "ngram",
    ),
    ("ingest words 0", lambda f: Data().ingest([f["file"]], 0), UsageError, "chunk_word_count"),
    ("mix empty recipe", lambda f: Data().mix(f["recipe"]), FileError, "lists no data sets"),
    ("list blocked folder", lambda f: Data(output_dir=f["file"]).list(), FileError, "is a file"),
    (
        "generate url",
        lambda f: Data().generate_data(endpoint_url="nope"),
        UsageError,
        "endpoint_url",
    ),
    ("generate cpus 0", lambda f: Data().generate_data(num_cpus=0), UsageError, "num_cpus"),
    ("config show int", lambda f: Config().show(5), UsageError, "key"),
    ("config in a file", lambda f: Config(f["file"] / "c.yaml").init(), FileError, "file.txt"),
    ("config is a folder", lambda f: Config(f["dir"]).init(), FileError, "is a folder"),
    (
        "taxonomy is a file",
        lambda f: Taxonomy(f["file"], "main").diff(),
        InstructLabError,
        "file.txt",
    ),
    (
        "process data len",
        lambda f: Model().process_data(max_seq_len="big"),
        UsageError,
        "max_seq_len",
    ),
    (
        "process data min>max",
        lambda f: Model().process_data(f["file"], max_seq_len=4, min_seq_len=9),
        UsageError,
        "min_seq_len",
    ),
    ("chat temperature", lambda f: Model().chat("hi", temperature=5), UsageError, "temperature"),
    ("serve gpus", lambda f: Model().serve(gpus=-1), UsageError, "gpus"),
    ("download nothing", lambda f: Model().download(str(f["file"])), UsageError, "not a model"),
    ("stop unknown", lambda f: System().stop("nope"), ProcessNotFound, "nope"),
    ("attach wrong type", lambda f: System().attach(5), UsageError, "process_id"),
]


@pytest.mark.parametrize(("name", "call", "kind", "says"), CASES, ids=[c[0] for c in CASES])
def test_bad_sdk_arguments(
    files: dict[str, Path], name: str, call: Callable[..., Any], kind: type, says: str
) -> None:
    with pytest.raises(kind) as caught:
        call(files)
    assert says in str(caught.value), str(caught.value)
