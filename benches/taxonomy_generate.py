"""Generates a large, realistic taxonomy, the same on every run (a seeded generator).

Community-like sizes: skills of about 3 KB (5 to 7 seed examples), knowledge leaves of about
10 KB (5 contexts with 3 Q&A pairs each) pointing at a local document repository. The leaves
are committed in COMMITS commits on `main`; `origin/main` points at the last one, so a diff
against the default base is empty until something changes.

Usage: python benches/taxonomy_generate.py DEST [--leaves N] [--commits C] [--knowledge-share F]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
from pathlib import Path

WORDS = (  # noqa: SIM905 (a paragraph of words reads better than a list literal)
    "the of and to in is that for it as with was on be by this are from at or an which one "
    "all their there been has more when will would who so no can if out up what about into "
    "time only new some could these two may first then do any like other my than now people "
    "river garden winter engine market signal harvest lantern orbit canyon meadow copper "
    "violin pottery tide glacier ledger compass harbor orchard beacon quartz thicket summit "
    "falcon prairie mosaic tundra caravan quarry ember willow cobalt fjord lagoon bramble"
).split()

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+0000",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def block(text: str, indent: int, width: int = 90) -> str:
    """Folds text into a YAML literal block at `indent` spaces."""
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    pad = " " * indent
    return "|\n" + "".join(f"{pad}{x}\n" for x in lines)


def skill(rng: random.Random, grounded: bool) -> str:
    out = [
        "version: 3",
        f"task_description: {sentence(rng, 12)}",
        "created_by: bench-author",
        "seed_examples:",
    ]
    text = "\n".join(out) + "\n"
    for i in range(rng.randint(5, 7)):
        text += f"  - question: {block(sentence(rng, 18) + f' ({i})', 6)}"
        if grounded:
            text += f"    context: {block(sentence(rng, 30), 6)}"
        text += f"    answer: {block(sentence(rng, 32), 6)}"
    return text


def knowledge(rng: random.Random, repo: Path, commit: str) -> str:
    text = (
        "version: 3\ndomain: bench\ncreated_by: bench-author\n"
        f"document_outline: {sentence(rng, 14)}\n"
        f"document:\n  repo: {repo}\n  commit: {commit}\n  patterns:\n    - doc.md\n"
        "seed_examples:\n"
    )
    for i in range(5):
        text += f"  - context: {block(sentence(rng, 140) + f' ({i})', 6)}"
        text += "    questions_and_answers:\n"
        for j in range(3):
            text += f"      - question: {block(sentence(rng, 14) + f' ({j})', 10)}"
            text += f"        answer: {block(sentence(rng, 55), 10)}"
    return text


def generate(dest: Path, leaves: int, commits: int, knowledge_share: float = 0.2) -> Path:
    """Creates the taxonomy (and `DEST.docs`, its document repository); returns DEST."""
    rng = random.Random(20250101)
    shutil.rmtree(dest, ignore_errors=True)
    docs = dest.with_name(dest.name + ".docs")
    shutil.rmtree(docs, ignore_errors=True)
    docs.mkdir(parents=True)
    (docs / "doc.md").write_text("# Bench document\n\n" + sentence(rng, 300) + "\n")
    git(docs, "init", "--quiet", "--initial-branch=main")
    git(docs, "add", "--all")
    git(docs, "commit", "--quiet", "-m", "docs")
    commit = git(docs, "rev-parse", "HEAD")
    dest.mkdir(parents=True)
    git(dest, "init", "--quiet", "--initial-branch=main")
    paths: list[tuple[Path, str]] = []
    for i in range(leaves):
        if rng.random() < knowledge_share:
            rel = Path(f"knowledge/area_{i % 37}/topic_{i % 101}/leaf_{i}/qna.yaml")
            paths.append((rel, knowledge(rng, docs, commit)))
        else:
            kind = "grounded" if rng.random() < 0.3 else "freeform"
            rel = Path(f"compositional_skills/{kind}/area_{i % 23}/leaf_{i}/qna.yaml")
            paths.append((rel, skill(rng, kind == "grounded")))
    # The history goes in through one `git fast-import` (thousands of commits in seconds).
    per_commit = max(1, -(-leaves // max(1, commits)))
    stream = bytearray()
    for n in range(commits):
        batch = paths[n * per_commit : (n + 1) * per_commit]
        message = f"commit {n}: {len(batch)} leaves".encode()
        stream += b"commit refs/heads/main\n"
        stream += f"committer bench <bench@example.invalid> {1735689600 + n} +0000\n".encode()
        stream += b"data %d\n%s\n" % (len(message), message)
        for rel, text in batch:
            data = text.encode()
            stream += b"M 100644 inline %s\ndata %d\n%s\n" % (
                rel.as_posix().encode(),
                len(data),
                data,
            )
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=dest, input=bytes(stream), env=ENV, check=True
    )
    git(dest, "reset", "--quiet")  # the index matches the files already written
    git(dest, "update-ref", "refs/remotes/origin/main", "HEAD")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--leaves", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--knowledge-share", type=float, default=0.2)
    args = parser.parse_args()
    generate(args.dest, args.leaves, args.commits, args.knowledge_share)
    sizes = [p.stat().st_size for p in args.dest.rglob("qna.yaml")]
    print(f"{len(sizes)} leaves, {sum(sizes) / 1e6:.1f} MB in {args.dest}")


if __name__ == "__main__":
    main()
