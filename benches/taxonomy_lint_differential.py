"""Differential check of our native lint against yamllint itself, on many mutated files.

A seeded generator mutates a few `qna.yaml`-like documents (spacing, indentation, blank lines,
comments, yamllint directive comments, duplicate and merge keys, flow collections, multi-line
scalars) and lints every mutant with each configuration below, once with
`instructlab._native.lint_yaml` and once with yamllint (in the peer's environment, one process
for all). Files yamllint finds a syntax error in are left out (we report those as syntax
errors, not lint), and so are files our YAML parser refuses (counted and printed). Each text
is also loaded with PyYAML's `yaml.safe_load`: a text PyYAML reads and our parser refuses is a
parser difference, counted and printed. Every lint difference is printed; the exit status is 1
when there is a lint or parser difference, 2 when the peer cannot run (never a skip).

Usage: python benches/taxonomy_lint_differential.py [--count 3000] [--seed 7]
           [--peer /work/wt/peers/taxonomy-schema/bin/python]

The peer: `python -m venv DIR && DIR/bin/pip install yamllint==1.38.0` (or any environment with
yamllint; instructlab-schema 0.4.2 pulls it in).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from instructlab import _native

CONFIGS = {
    "instructlab": "extends: relaxed\nrules:\n  line-length: disable\n",
    "default": "extends: default\n",
    "forbid-non-empty": (
        "extends: relaxed\nrules:\n  line-length: disable\n"
        "  braces: {forbid: non-empty}\n  brackets: {forbid: non-empty}\n"
    ),
    "forbid": "extends: default\nrules:\n  braces: {forbid: true}\n  brackets: {forbid: true}\n",
    "multi-line-strings": (
        "extends: relaxed\nrules:\n  line-length: disable\n"
        "  indentation: {spaces: consistent, check-multi-line-strings: true}\n"
    ),
    "multi-line-strings-2": (
        "extends: default\nrules:\n  document-start: disable\n"
        "  indentation: {spaces: 2, indent-sequences: true, check-multi-line-strings: true}\n"
    ),
    "merge-keys": (
        "extends: relaxed\nrules:\n  line-length: disable\n"
        "  key-duplicates: {forbid-duplicated-merge-keys: true}\n"
    ),
}

BASES = [
    """version: 3
created_by: someone
domain: astronomy
seed_examples:
  - context: |
      The Moon is Earth's only natural satellite.
      It orbits at about 384,400 km.
    questions_and_answers:
      - question: What orbits Earth?
        answer: The Moon.
      - question: >
          How far away
          is it?
        answer: "About 384,400
          km."
document_outline: 'A short
  outline'
document:
  repo: https://example.invalid/repo
  commit: abc123
  patterns:
    - '*.md'
""",
    """version: 2
task_description: Write a haiku
created_by: poet
seed_examples:
- question: Write a haiku about rain
  answer: |
    Soft rain on the roof
    the garden drinks quietly
    morning smells of earth
- question: Plain multi-line
    answer text here
  answer: ok
- {question: a, answer: b}
- [one, two]
""",
    """base: &base
  a: 1
  b: 2
other: &other {c: 3}
merged:
  <<: *base
  d: 4
list: []
map: {}
flags: [true, false]
""",
]

DIRECTIVES = [
    "# yamllint disable",
    "# yamllint enable",
    "# yamllint disable-line",
    "# yamllint disable rule:trailing-spaces",
    "# yamllint disable rule:indentation",
    "# yamllint disable rule:key-duplicates rule:braces",
    "# yamllint enable rule:trailing-spaces",
    "# yamllint enable rule:indentation",
    "# yamllint disable-line rule:colons rule:trailing-spaces",
    "# yamllint disable-line rule:indentation",
    "# yamllint disable-line rule:brackets",
    "# yamllint disable-file",
    "#yamllint disable",
    "# yamllint disable  rule:colons",
    "# yamllint disable rule:not-a-rule",
    "# plain comment",
    "#no space",
]

FLOWS = ["{a: 1}", "[1, 2]", "{}", "[]", "{ }", "[ ]", "{ a: 1 }", "[ 1 ]", "{a: 1, a: 2}"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.randrange(12)
        line = lines[i]
        if op == 0:
            lines[i] = line + " " * rng.randint(1, 2)
        elif op == 1 and ": " in line:
            lines[i] = line.replace(": ", ":" + " " * rng.randint(1, 3), 1)
        elif op == 2 and line.strip():
            delta = rng.choice([-2, -1, 1, 2])
            lines[i] = " " * max(0, len(line) - len(line.lstrip()) + delta) + line.lstrip()
        elif op == 3:
            lines.insert(i, "")
        elif op == 4:
            indent = rng.choice([0, 2, 4, len(line) - len(line.lstrip())])
            lines.insert(i, " " * indent + rng.choice(DIRECTIVES))
        elif op == 5 and line.strip():
            lines[i] = line + " " * rng.randint(0, 2) + rng.choice(DIRECTIVES)
        elif op == 6 and line.strip():
            lines.insert(i, line)
        elif op == 7 and line.rstrip().endswith(":") is False and ": " in line:
            key = line.split(": ", 1)[0]
            lines[i] = f"{key}: {rng.choice(FLOWS)}"
        elif op == 8:
            lines.insert(0, rng.choice(DIRECTIVES))
        elif op == 9 and line.strip():
            indent = len(line) - len(line.lstrip())
            lines.insert(i + 1, " " * (indent + rng.choice([-1, 0, 1, 2, 3])) + "extra words")
        elif op == 10:
            lines.insert(i, "  <<: *base")
        elif op == 11 and text.endswith("\n"):
            return "\n".join(lines).rstrip("\n")
    return "\n".join(lines)


PEER = """
import json, sys
import yaml
import yamllint
from yamllint import linter
from yamllint.config import YamlLintConfig
cases = json.load(open(sys.argv[1]))
configs = {name: YamlLintConfig(text) for name, text in cases["configs"].items()}
out = []
for text in cases["texts"]:
    row = {}
    for name, conf in configs.items():
        found = [(p.line, p.column, p.rule, p.desc) for p in linter.run(text, conf)]
        row[name] = found
    try:
        yaml.safe_load(text)
        row["_loads"] = True
    except yaml.YAMLError:
        row["_loads"] = False
    out.append(row)
json.dump({"version": yamllint.__version__, "results": out}, open(sys.argv[2], "w"))
"""


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peer", default="/work/wt/peers/taxonomy-schema/bin/python")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = [mutate(rng.choice(BASES), rng) for _ in range(args.count)]
    with tempfile.TemporaryDirectory() as tmp:
        cases, results = Path(tmp) / "cases.json", Path(tmp) / "results.json"
        cases.write_text(json.dumps({"configs": CONFIGS, "texts": texts}))
        script = Path(tmp) / "peer.py"
        script.write_text(PEER)
        try:
            done = subprocess.run(
                [args.peer, str(script), str(cases), str(results)],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            print(f"FAILED: the peer cannot run: {args.peer}: {exc}", file=sys.stderr)
            return 2
        if done.returncode != 0:
            print(f"FAILED: the peer cannot run:\n{done.stderr[-2000:]}", file=sys.stderr)
            return 2
        peer = json.loads(results.read_text())
    print(f"peer: yamllint {peer['version']} ({args.peer}); {len(texts)} texts, seed {args.seed}")
    differences = compared = skipped = refused = parser_differences = 0
    kinds: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for text, row in zip(texts, peer["results"], strict=True):
        try:
            _native.load_yaml(text.encode(), "<mutant>")
            ours_parses = True
        except Exception as exc:  # checking tolerates repeated keys (reported as lint)
            ours_parses = "duplicate key" in str(exc)
        if row["_loads"] and not ours_parses:
            parser_differences += 1
            if parser_differences <= 3:
                print(f"--- PyYAML reads it, ours refuses\n{text}")
        for name, config in CONFIGS.items():
            theirs = row[name]
            if any(rule is None for _, _, rule, _ in theirs):
                skipped += 1  # a syntax error: not lint
                continue
            if not ours_parses:
                refused += 1  # a syntax error for us: the lint never runs on it
                continue
            compared += 1
            expected = sorted((line, col, rule, desc) for line, col, rule, desc in theirs)
            ours = sorted(_native.lint_yaml(text, yaml_rules=config))
            if ours != expected:
                differences += 1
                for found in set(expected) - set(ours):
                    kinds["yamllint only", found[2], found[3]] += 1
                for found in set(ours) - set(expected):
                    kinds["ours only", found[2], found[3]] += 1
                if differences <= 10:
                    print(f"--- config {name}\n{text}")
                    print(f"    yamllint: {expected}\n    ours:     {ours}")
    print(
        f"{compared} (text, configuration) pairs compared, {skipped} left out for syntax "
        f"errors, {differences} differ"
    )
    if refused:
        print(
            f"NOTE: {refused} pairs left out because our YAML parser refuses a text that "
            "yamllint lints (yamllint only scans and parses it; PyYAML's loader may refuse it too)"
        )
    print(
        f"{parser_differences} texts PyYAML (yaml.safe_load) reads and our YAML parser refuses "
        "(the rest of the texts we refuse, PyYAML refuses too)"
    )
    for (side, rule, message), n in kinds.most_common(20):
        print(f"  {n:5}  {side}: {message} ({rule})")
    return 1 if differences or parser_differences else 0


if __name__ == "__main__":
    sys.exit(main())
