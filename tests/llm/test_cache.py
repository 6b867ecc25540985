"""The request cache: answers kept by request and place, surviving kills and damage."""

from __future__ import annotations

from pathlib import Path

from instructlab.llm.cache import RequestCache, request_digest


def test_answers_persist_and_places_keep_identical_prompts_apart(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    digest = request_digest("chat", {"messages": [{"role": "user", "content": "hi"}]})
    cache = RequestCache(path)
    cache.put(RequestCache.key(digest, "leaf/a#1", 0), "one")
    cache.put(RequestCache.key(digest, "leaf/a#2", 0), "two")
    cache.close()
    again = RequestCache(path)
    assert again.loaded == 2
    assert again.get(RequestCache.key(digest, "leaf/a#1", 0)) == "one"
    assert again.get(RequestCache.key(digest, "leaf/a#2", 0)) == "two"
    assert again.get(RequestCache.key(digest, "leaf/a#3", 0)) is None
    assert request_digest("chat", {"a": 1, "b": 2}) == request_digest("chat", {"b": 2, "a": 1})


def test_a_damaged_cache_costs_only_its_damaged_lines(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    cache = RequestCache(path)
    cache.put("k1", "kept")
    cache.close()
    with path.open("ab") as handle:
        handle.write(b"\xff\xfe\x00binary garbage\n")  # a disk fault
        handle.write(b'{"k": "k2", "t": 5}\n')  # not a cache entry
        handle.write(b'{"k": "k3", "t": "also kept"}\n')
        handle.write(b'{"k": "k4", "t": "cut sh')  # a killed run's last line
    again = RequestCache(path)
    assert again.get("k1") == "kept" and again.get("k3") == "also kept"
    assert again.damaged == 3 and len(again) == 2
    again.put("k5", "after")  # never glued onto the cut line
    again.close()
    assert RequestCache(path).get("k5") == "after"
