"""Creating the user's taxonomy: a clone of a given repository, or a new git repository seeded
from the bundled example (works offline)."""

from __future__ import annotations

from pathlib import Path

from instructlab.errors import UsageError
from instructlab.fileio import atomic_dir
from instructlab.taxonomy.example import create_example_docs_repo, write_example_taxonomy
from instructlab.taxonomy.gitcmd import git_output

_README = """# My taxonomy

Leaves are `qna.yaml` files under `knowledge/` and `compositional_skills/`. Check your changes
with `ilab taxonomy diff`; the base it compares with is the `origin/main` ref, which points at this
first commit, so the example leaves of the next commit count as your first changes.
"""


def _git(args: list[str], cwd: Path | None = None) -> str:
    return git_output(args, cwd, purpose="to create a taxonomy")


def init_taxonomy(
    dest: Path, source: str | None = None, *, shallow: bool = True, docs_dir: Path | None = None
) -> Path:
    """Creates the taxonomy at ``dest`` and returns it.

    With ``source`` (a URL or a local repository) it is cloned, shallow by default. Without, a
    new repository is seeded from the bundled example: a first commit on ``main`` (also recorded
    as ``origin/main``, the default diff base) and the example leaves in a second one. The
    example's knowledge documents go to ``docs_dir`` (default: beside ``dest``).
    """
    if dest.exists() and any(dest.iterdir()):
        raise UsageError(
            f"{dest} already exists and is not empty; remove it or choose another path"
        )
    with atomic_dir(dest) as partial:
        if source is not None:
            _clone(source, partial, shallow)
        else:
            _seed(partial, docs_dir or dest.with_name("example_docs"))
    return dest


def _clone(source: str, dest: Path, shallow: bool) -> None:
    local = Path(source).expanduser()
    url = local.resolve().as_uri() if local.is_dir() else source
    args = ["clone", "--quiet"]
    if shallow:
        args += ["--depth", "1"]
    _git([*args, url, str(dest)])


def _seed(dest: Path, docs_dir: Path) -> None:
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    create_example_docs_repo(docs_dir)
    dest.mkdir(parents=True)
    _git(["init", "--quiet", "--initial-branch=main"], dest)
    (dest / "README.md").write_text(_README, encoding="utf-8")
    _git(["add", "README.md"], dest)
    _git(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Start the taxonomy"], dest)
    _git(["update-ref", "refs/remotes/origin/main", "HEAD"], dest)
    write_example_taxonomy(dest, docs_dir)
    _git(["add", "--all"], dest)
    _git(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Add the example leaves"], dest)
