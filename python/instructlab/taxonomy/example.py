"""The bundled example taxonomy and the git repository holding its knowledge document.

A knowledge leaf names its document by repository and commit. So that the example works offline
and its ``qna.yaml`` can name a fixed commit, the package builds the document repository itself,
on demand, with a fixed author, date and content: the commit id is the same on every machine.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from instructlab.errors import InstructLabError
from instructlab.fileio import atomic_dir
from instructlab.taxonomy.gitcmd import git_output

#: The commit the example repository always gets; named in the example knowledge ``qna.yaml``.
EXAMPLE_DOCS_COMMIT = "de88e8eecf5ce940a0ee84a1f2da0b7d381e9074"

_REPO_TOKEN = "__EXAMPLE_DOCS_REPO__"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "instructlab",
    "GIT_AUTHOR_EMAIL": "example@instructlab.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "instructlab",
    "GIT_COMMITTER_EMAIL": "example@instructlab.invalid",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+0000",
}


def _data(name: str) -> Path:
    return Path(str(resources.files("instructlab") / "data" / name))


def example_taxonomy_files() -> dict[str, str]:
    """The example taxonomy as ``{relative path: text}``, the document repo still a placeholder."""
    root = _data("example_taxonomy")
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _git(args: list[str], cwd: Path) -> str:
    # Isolated, with fixed names and dates: the commit id must be EXAMPLE_DOCS_COMMIT everywhere.
    return git_output(
        args,
        cwd,
        purpose="to create the example knowledge repository",
        isolated=True,
        env=_IDENTITY,
    )


def create_example_docs_repo(dest: Path) -> str:
    """Creates (or finds) the example document repository at ``dest``; returns its commit id."""
    if (dest / ".git").is_dir():
        head = _git(["rev-parse", "HEAD"], dest)
        if head == EXAMPLE_DOCS_COMMIT:
            return head
        raise InstructLabError(
            f"{dest} exists but is not the example document repository (HEAD is {head}); "
            "move it away and try again"
        )
    with atomic_dir(dest) as tmp:
        tmp.mkdir(parents=True)
        for doc in sorted(_data("example_docs").iterdir()):
            (tmp / doc.name).write_bytes(doc.read_bytes())
        _git(["init", "--quiet", "--initial-branch=main", "--object-format=sha1"], tmp)
        _git(["add", "--all"], tmp)
        _git(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Example documents"], tmp)
        commit = _git(["rev-parse", "HEAD"], tmp)
    return commit


def write_example_taxonomy(dest: Path, docs_repo: Path) -> list[Path]:
    """Writes the example taxonomy under ``dest``, pointing its knowledge leaf at ``docs_repo``."""
    written = []
    for relative, text in example_taxonomy_files().items():
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace(_REPO_TOKEN, str(docs_repo.resolve())), encoding="utf-8")
        written.append(target)
    return written
