"""Taxonomies built in temp dirs: real git repositories, real document repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from instructlab.taxonomy import init_taxonomy

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def skill_text(examples: int = 5, version: int = 3) -> str:
    lines = [
        f"version: {version}",
        "created_by: tester",
        "task_description: Write short poems.",
        "seed_examples:",
    ]
    for i in range(examples):
        lines += [f"  - question: Write poem number {i}.", f"    answer: Poem {i}."]
    return "\n".join(lines) + "\n"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The seeded example taxonomy (a git repo whose origin/main is its first commit)."""
    return init_taxonomy(tmp_path / "taxonomy", docs_dir=tmp_path / "docs")
