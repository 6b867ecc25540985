from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.taxonomy import DocumentCache, DocumentError, validate_taxonomy

from .conftest import git


def _docs_repo(path: Path) -> str:
    path.mkdir(parents=True)
    (path / "a.md").write_text("# A\n")
    (path / "b.txt").write_text("B\n")
    (path / "c.py").write_text("print()\n")
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "docs")
    return git(path, "rev-parse", "HEAD")


def test_one_checkout_per_repo_and_commit_reused(tmp_path: Path) -> None:
    commit = _docs_repo(tmp_path / "docs")
    cache = DocumentCache(tmp_path / "cache")
    docs = cache.resolve(str(tmp_path / "docs"), commit, ["*.md", "b.txt"])
    assert [d.name for d in docs] == ["a.md", "b.txt"]
    assert all(d.commit == commit and d.path.is_file() for d in docs)
    # A second resolution reuses the checkout even when the source is gone.
    (tmp_path / "docs").rename(tmp_path / "moved")
    again = cache.resolve(str(tmp_path / "docs"), commit, ["a.md"])
    assert again[0].path == docs[0].path


def test_failures_name_repo_commit_and_cause(tmp_path: Path) -> None:
    commit = _docs_repo(tmp_path / "docs")
    cache = DocumentCache(tmp_path / "cache")
    repo = str(tmp_path / "docs")
    with pytest.raises(DocumentError, match=f"'none.md' matches no file in {repo} at commit"):
        cache.resolve(repo, commit, ["none.md"])
    with pytest.raises(DocumentError, match=r"'c.py' .* is not a Markdown, text or PDF file"):
        cache.resolve(repo, commit, ["*"])
    with pytest.raises(DocumentError, match=f"{repo} has no commit 0000000"):
        cache.resolve(repo, "0000000", ["a.md"])
    with pytest.raises(DocumentError, match="cannot clone"):
        cache.resolve(str(tmp_path / "missing"), commit, ["a.md"])


def test_insteadof_points_a_url_at_a_mirror(tmp_path: Path, monkeypatch) -> None:
    commit = _docs_repo(tmp_path / "mirror")
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(
        f'[url "{tmp_path / "mirror"}"]\n\tinsteadOf = https://docs.example.invalid/repo.git\n'
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    docs = DocumentCache(tmp_path / "cache").resolve(
        "https://docs.example.invalid/repo.git", commit, ["a.md"]
    )
    assert docs[0].repo == "https://docs.example.invalid/repo.git"
    assert docs[0].path.read_text() == "# A\n"


def test_a_leaf_with_missing_documents_is_invalid_at_its_document_key(example: Path) -> None:
    leaf = example / "knowledge/science/ecology/pollinators/qna.yaml"
    leaf.write_text(leaf.read_text().replace("pollinators.md", "missing.md"))
    report = validate_taxonomy(example, "empty")
    assert not report.valid
    (problem,) = report.errors
    assert problem.rule == "document"
    assert problem.yaml_path == ".document"
    assert "'missing.md' matches no file" in problem.message
    assert validate_taxonomy(example, "empty", skip_documents=True).valid
