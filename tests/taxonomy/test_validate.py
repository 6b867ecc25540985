from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.errors import FileError, GitError, TaxonomyError
from instructlab.taxonomy import leaves_or_raise, validate_taxonomy

from .conftest import git, skill_text

EXAMPLE_LEAVES = [
    "compositional_skills/extraction/grounded/meeting_action_items/qna.yaml",
    "compositional_skills/linguistics/synonyms/qna.yaml",
    "compositional_skills/writing/freeform/thank_you_notes/qna.yaml",
    "knowledge/science/ecology/pollinators/qna.yaml",
]


def test_the_seeded_example_is_the_first_change_and_valid(example: Path, tmp_path: Path) -> None:
    report = validate_taxonomy(example, "origin/main", document_cache=tmp_path / "cache")
    assert report.valid, report.problems
    assert list(report.checked) == EXAMPLE_LEAVES
    kinds = {leaf.path: leaf.kind for leaf in report.leaves}
    assert kinds[EXAMPLE_LEAVES[0]] == "grounded_skill"
    assert kinds[EXAMPLE_LEAVES[1]] == "freeform_skill"
    assert kinds[EXAMPLE_LEAVES[3]] == "knowledge"
    knowledge = report.leaves[-1]
    assert [d.name for d in knowledge.documents] == ["pollinators.md"]
    assert knowledge.documents[0].path.read_text().startswith("#")
    assert report.summary() == "4 changed leaves, all valid"


def test_diff_sees_committed_staged_unstaged_and_untracked_not_deleted(example: Path) -> None:
    git(example, "branch", "-f", "base", "HEAD")
    (example / EXAMPLE_LEAVES[0]).write_text(skill_text())  # unstaged
    (example / EXAMPLE_LEAVES[1]).write_text(skill_text(6))
    git(example, "add", EXAMPLE_LEAVES[1])  # staged
    new = example / "compositional_skills/new/skill/qna.yaml"
    new.parent.mkdir(parents=True)
    new.write_text(skill_text())  # untracked
    (example / EXAMPLE_LEAVES[2]).unlink()  # deleted
    report = validate_taxonomy(example, "base", skip_documents=True)
    assert list(report.checked) == [
        EXAMPLE_LEAVES[0],
        EXAMPLE_LEAVES[1],
        "compositional_skills/new/skill/qna.yaml",
    ]


def test_every_problem_is_collected_and_located(example: Path) -> None:
    bad = example / "compositional_skills/bad/qna.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text(skill_text(2).replace("answer: Poem 1.", "answer: Poem 1.  "))
    broken = example / "compositional_skills/broken/qna.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("version: 3\nseed_examples: [\n")
    report = validate_taxonomy(example, "empty", skip_documents=True)
    assert not report.valid
    assert [str(p) for p in report.errors] == [
        "compositional_skills/bad/qna.yaml:5:3 [.seed_examples] needs at least 5 seed "
        "examples, found 2",
        "compositional_skills/bad/qna.yaml:8:20 trailing spaces (trailing-spaces)",
        "compositional_skills/broken/qna.yaml:3:1 not valid YAML: "
        + report.errors[2].message.removeprefix("not valid YAML: "),
    ]
    assert report.errors[2].message != "not valid YAML: "
    assert report.invalid_files == (
        "compositional_skills/bad/qna.yaml",
        "compositional_skills/broken/qna.yaml",
    )
    with pytest.raises(TaxonomyError) as caught:
        leaves_or_raise(report)
    assert "compositional_skills/bad/qna.yaml:5:3" in str(caught.value)
    assert len(caught.value.problems) == 3


def test_misnamed_leaves_warn_and_are_skipped(example: Path) -> None:
    odd = example / "knowledge/odd/qna.yml"
    odd.parent.mkdir(parents=True)
    odd.write_text("version: 3\n")
    report = validate_taxonomy(example, "empty", skip_documents=True)
    assert report.valid
    assert [str(p) for p in report.warnings] == [
        "knowledge/odd/qna.yml:1:1 warning: skipped: a leaf must be named exactly "
        "'qna.yaml', not 'qna.yml'"
    ]


def test_foundational_skills_only_when_asked(example: Path) -> None:
    leaf = example / "foundational_skills/reasoning/qna.yaml"
    leaf.parent.mkdir(parents=True)
    leaf.write_text(skill_text(1, version=1))
    report = validate_taxonomy(example, "empty", skip_documents=True)
    assert "foundational_skills/reasoning/qna.yaml" not in report.checked
    report = validate_taxonomy(example, "empty", skip_documents=True, include_foundational=True)
    assert {leaf.path: leaf.kind for leaf in report.leaves}[
        "foundational_skills/reasoning/qna.yaml"
    ] == "foundational_skill"


def test_bad_base_and_non_repository_suggest_empty(example: Path, tmp_path: Path) -> None:
    with pytest.raises(GitError, match="--taxonomy-base=empty") as caught:
        validate_taxonomy(example, "no-such-branch")
    assert caught.value.exit_code == 2
    plain = tmp_path / "plain"
    (plain / "knowledge").mkdir(parents=True)
    with pytest.raises(GitError, match="not the root of a git repository"):
        validate_taxonomy(plain, "origin/main")
    assert validate_taxonomy(plain, "empty").checked == ()


def test_yaml_rules_file(example: Path, tmp_path: Path) -> None:
    leaf = example / EXAMPLE_LEAVES[1]
    leaf.write_text(leaf.read_text().replace("created_by:", "created_by:  "))
    assert not validate_taxonomy(example, "empty", skip_documents=True).valid
    rules = tmp_path / "rules.yaml"
    rules.write_text("extends: relaxed\nrules:\n  line-length: disable\n  colons: disable\n")
    assert validate_taxonomy(example, "empty", skip_documents=True, yaml_rules=rules).valid
    rules.write_text("rules:\n  key-ordering: enable\n")
    with pytest.raises(Exception, match="'key-ordering' is not supported"):
        validate_taxonomy(example, "empty", skip_documents=True, yaml_rules=rules)
    with pytest.raises(FileError, match=r"missing\.yaml: does not exist"):
        validate_taxonomy(example, "empty", yaml_rules=tmp_path / "missing.yaml")
    rules.write_bytes(b"\xff\xfe rules")
    with pytest.raises(FileError, match=r"rules\.yaml: is not UTF-8 text"):
        validate_taxonomy(example, "empty", yaml_rules=rules)


@pytest.mark.usefixtures("sigint_raises")
def test_ctrl_c_stops_the_check_between_files(tmp_path: Path) -> None:
    """Every leaf is a FIFO, so each read waits until this test writes to it. Ctrl-C comes while
    the first reads wait; after it, the engine must open no new leaf and raise
    KeyboardInterrupt."""
    import contextlib
    import os
    import signal
    import threading
    import time

    workers = os.cpu_count() or 2
    root = tmp_path / "tax"
    fifos = []
    for i in range(workers + 6):
        folder = root / "compositional_skills" / f"leaf_{i:02d}"
        folder.mkdir(parents=True)
        os.mkfifo(folder / "qna.yaml")
        fifos.append(folder / "qna.yaml")
    held: dict[Path, int] = {}
    done = threading.Event()

    def probe() -> None:
        """Holds the write end of every FIFO the engine has opened for reading."""
        for fifo in fifos:
            if fifo not in held:
                # ENXIO: the engine has not opened it.
                with contextlib.suppress(OSError):
                    held[fifo] = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)

    def interrupt_then_feed() -> None:
        deadline = time.monotonic() + 30
        while not held and not done.is_set() and time.monotonic() < deadline:
            probe()
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)  # the binding notices within 50 ms and triggers the interrupt
        fed: set[Path] = set()
        while not done.is_set():
            probe()
            for fifo, fd in list(held.items()):
                if fifo not in fed:
                    os.write(fd, skill_text().encode())
                    os.close(fd)
                    fed.add(fifo)
            time.sleep(0.02)

    feeder = threading.Thread(target=interrupt_then_feed, daemon=True)
    feeder.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            validate_taxonomy(root, "empty", document_cache=tmp_path / "cache")
    finally:
        done.set()
        feeder.join(5)
    # Only the files being read when Ctrl-C came (at most one per worker thread).
    assert 0 < len(held) <= workers < len(fifos), sorted(str(p) for p in held)


def test_leaf_content_is_converted_when_first_read(example: Path, tmp_path: Path) -> None:
    from instructlab import _native

    report = validate_taxonomy(example, "empty", document_cache=tmp_path / "cache")
    leaf = report.leaves[0]
    assert not isinstance(leaf.__dict__["_content"], dict)  # not converted yet
    expected = _native.load_yaml((example / leaf.path).read_bytes(), leaf.path)
    assert leaf.content == expected
    assert leaf.content is leaf.content  # converted once, then kept
    assert isinstance(leaf.__dict__["_content"], dict)
