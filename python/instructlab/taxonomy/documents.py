"""Knowledge documents: fetched once per repository and commit into a content-addressed cache.

A knowledge leaf names its documents by git repository, commit and glob patterns. The checkout
for a (repository, commit) pair lives in ``<cache>/<hash of repo>/<hash of commit>/`` and is
reused by every leaf and every run that names the same pair. Fetching goes through the user's
``git``, so its configuration applies: ``url.<base>.insteadOf`` can point a repository at a
mirror for offline work.
"""

from __future__ import annotations

import glob
import hashlib
import subprocess
from pathlib import Path

from instructlab.errors import InstructLabError
from instructlab.fileio import atomic_dir
from instructlab.taxonomy.gitcmd import git
from instructlab.taxonomy.leaf import Document

#: Suffixes of the documents accepted (conversion to text is the data generation step's job).
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".pdf")
_DONE = ".instructlab-complete"


class DocumentError(InstructLabError):
    """A leaf's documents could not be resolved; the message names repo, commit and cause."""


def _git(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return git(args, cwd, purpose="to fetch knowledge documents, or pass --skip-documents")


class DocumentCache:
    """Checkouts of document repositories, one per (repository, commit)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def checkout_dir(self, repo: str, commit: str) -> Path:
        """Where the checkout of ``repo`` at ``commit`` lives (whether or not it exists yet)."""
        # Hashed, so that no repository URL or commit string can name a path outside the cache.
        repo_key = hashlib.sha256(repo.encode("utf-8")).hexdigest()[:24]
        commit_key = hashlib.sha256(commit.encode("utf-8")).hexdigest()[:24]
        return self.root / repo_key / commit_key

    def checkout(self, repo: str, commit: str) -> Path:
        """The checkout of ``repo`` at ``commit``, fetched on first use."""
        if repo.startswith("-") or commit.startswith("-"):
            raise DocumentError(f"'{repo}' at '{commit}' is not a repository and commit")
        dest = self.checkout_dir(repo, commit)
        if (dest / _DONE).exists():
            return dest
        with atomic_dir(dest) as partial:
            cloned = _git(["clone", "--quiet", "--no-checkout", repo, str(partial)])
            if cloned.returncode != 0:
                cause = cloned.stderr.strip() or "git clone failed"
                raise DocumentError(
                    f"cannot clone {repo} (for commit {commit}): {cause} (offline? point it at a "
                    "mirror with git's url.<mirror>.insteadOf, or pass --skip-documents)"
                )
            checkout = ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit]
            checked = _git(checkout, partial)
            if checked.returncode != 0:
                raise DocumentError(
                    f"{repo} has no commit {commit}: {checked.stderr.strip() or 'checkout failed'}"
                )
            (partial / _DONE).write_text(f"{repo}\n{commit}\n", encoding="utf-8")
        return dest

    def resolve(self, repo: str, commit: str, patterns: list[str]) -> tuple[Document, ...]:
        """The documents matching ``patterns`` in ``repo`` at ``commit``, sorted by name."""
        checkout = self.checkout(repo, commit)
        found: dict[str, Path] = {}
        for pattern in patterns:
            matches = [
                Path(m)
                # glob.glob, not Path.glob: '**' is not recursive here, as in InstructLab.
                for m in glob.glob(str(checkout / pattern))  # noqa: PTH207
                if Path(m).is_file() and ".git" not in Path(m).relative_to(checkout).parts
            ]
            if not matches:
                raise DocumentError(
                    f"the pattern '{pattern}' matches no file in {repo} at commit {commit}"
                )
            for m in matches:
                name = m.relative_to(checkout).as_posix()
                if m.suffix.lower() not in DOCUMENT_SUFFIXES:
                    raise DocumentError(
                        f"'{name}' in {repo} at commit {commit} is not a Markdown, text or PDF "
                        "file; narrow the pattern to the documents"
                    )
                found[name] = m
        return tuple(Document(repo, commit, name, found[name]) for name in sorted(found))
