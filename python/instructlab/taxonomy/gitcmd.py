"""The ``git`` command, run the one way the taxonomy code needs it: no terminal prompts (a
missing credential fails instead of hanging), a fixed identity for commits made on the user's
behalf, and one message when git is not installed.

Diffs and index reads happen in-process (the Rust engine); this is for what needs the user's git
and its configuration: cloning (``url.<base>.insteadOf`` mirrors apply) and seeding repositories.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from instructlab.errors import InstructLabError
from instructlab.system.jobs.children import tie_to_parent

__all__ = ["IDENTITY", "git", "git_output"]

#: Who commits made by ilab itself (the seeded taxonomy, the example documents) are from.
IDENTITY = {
    "GIT_AUTHOR_NAME": "instructlab",
    "GIT_AUTHOR_EMAIL": "taxonomy@instructlab.invalid",
    "GIT_COMMITTER_NAME": "instructlab",
    "GIT_COMMITTER_EMAIL": "taxonomy@instructlab.invalid",
}


def git(
    args: list[str],
    cwd: Path | None = None,
    *,
    purpose: str,
    isolated: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Runs ``git ARGS`` in ``cwd``; returns what it did (the caller reads ``returncode``).

    ``purpose`` ends the message when git is missing ("to fetch knowledge documents").
    ``isolated`` ignores the user's and the system's git configuration (for repositories whose
    content must not depend on it); ``env`` adds to (or overrides) the environment.
    """
    environ = {**os.environ, **IDENTITY, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    if isolated:
        environ.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=tie_to_parent(),  # a clone must not outlive ilab
        )
    except FileNotFoundError:
        raise InstructLabError(
            f"git is not installed; install it (e.g. `apt install git`) {purpose}"
        ) from None


def git_output(
    args: list[str],
    cwd: Path | None = None,
    *,
    purpose: str,
    isolated: bool = False,
    env: dict[str, str] | None = None,
) -> str:
    """Runs ``git ARGS`` and returns its output; a failure raises with git's own message."""
    done = git(args, cwd, purpose=purpose, isolated=isolated, env=env)
    if done.returncode != 0:
        where = f" in {cwd}" if cwd is not None else ""
        raise InstructLabError(f"git {' '.join(args)} failed{where}: {done.stderr.strip()}")
    return done.stdout.strip()
