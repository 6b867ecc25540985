"""The Rust boundary: data in, GIL released, typed errors out."""

from __future__ import annotations

import math
import threading
import time

import pytest

from instructlab import _native
from instructlab.errors import InstructLabError, Location, YamlSyntaxError


def test_load_yaml_types_scalars_like_pyyaml() -> None:
    doc = _native.load_yaml(
        b"a: yes\nb: 0755\nc: 1e3\nd: 1.5\ne: ~\nf: [1, 'x']\ng: 123456789012345678901234567890\n"
    )
    assert doc == {
        "a": True,
        "b": 0o755,
        "c": "1e3",
        "d": 1.5,
        "e": None,
        "f": [1, "x"],
        "g": 123456789012345678901234567890,
    }


def test_load_yaml_special_floats_and_empty_document() -> None:
    doc = _native.load_yaml(b"inf: .inf\nnan: .NaN\n")
    assert doc["inf"] == math.inf
    assert math.isnan(doc["nan"])
    assert _native.load_yaml(b"") is None


def test_load_yaml_located_maps_every_path_to_line_and_column() -> None:
    value, locations, keys = _native.load_yaml_located(
        b"top:\n  items:\n    - a\n    - b: 2\n", "f.yaml"
    )
    assert value == {"top": {"items": ["a", {"b": 2}]}}
    assert locations[("top",)] == (2, 3)
    assert locations[("top", "items", 0)] == (3, 7)
    assert locations[("top", "items", 1, "b")] == (4, 10)
    assert keys[("top",)] == (1, 1)
    assert keys[("top", "items", 1, "b")] == (4, 7)
    assert ("top", "items", 0) not in keys


def test_syntax_error_is_a_located_instructlab_error() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        _native.load_yaml(b"a: 1\nb: [1, 2\n", "broken.yaml")
    err = caught.value
    assert isinstance(err, InstructLabError)
    assert err.location.file == "broken.yaml"
    assert err.location.line is not None and err.location.line >= 2
    assert str(err).startswith(f"{err.location}: ")


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        _native.load_yaml(b"a: 1\nb: 2\na: 3\n", "dup.yaml")
    assert str(caught.value) == "dup.yaml:3:1: duplicate key 'a' (first defined at line 1)"
    assert caught.value.location == Location("dup.yaml", 3, 1)


def test_invalid_utf8_points_at_the_bad_byte() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        _native.load_yaml(b"a: ok\nb: caf\xe9\n", "latin1.yaml")
    assert caught.value.location == Location("latin1.yaml", 2, 7)
    assert "UTF-8" in caught.value.reason


def test_build_info_reports_the_native_core() -> None:
    info = _native.build_info()
    assert info["version"] == _native.__version__
    assert info["rustc"].startswith("rustc ")
    assert info["profile"] in ("debug", "release")


def test_another_thread_runs_while_native_code_parses() -> None:
    # ~40k entries take a few hundred ms to parse; a thread that only counts must make progress
    # during the call, which it cannot do if the GIL is held.
    big = b"".join(b"key%d: [value, %d, {nested: true}]\n" % (i, i) for i in range(40_000))
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.05)  # let the counter start before the call
    before = ticks
    start = time.perf_counter()
    _native.load_yaml(big, "big.yaml")
    # Read the count before converting results could matter: conversion holds the GIL briefly,
    # but the parse itself (most of the time) must let the counter run.
    during = ticks - before
    elapsed = time.perf_counter() - start
    stop.set()
    counter.join()
    assert elapsed > 0
    assert during > 100, f"counter advanced only {during} times in {elapsed:.3f}s"
