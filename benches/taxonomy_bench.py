"""Benchmark: `ilab taxonomy diff` against InstructLab's validator on the same generated tree.

The peer is what `ilab taxonomy diff` (InstructLab 0.26) runs per leaf: instructlab-schema's
`TaxonomyParser` (schema version from each file) with strict yamllint. Both run as whole
processes over every leaf of the same tree; the peer's versions and settings, both times and
the ratio are printed. Then: our full validation with a warm document cache, and a one-leaf
diff against `origin/main`. Fails (exit 1), never skips, when the peer cannot run.

Install the peer in its own environment:
    python3 -m venv /work/wt/peers/taxonomy-schema
    /work/wt/peers/taxonomy-schema/bin/pip install instructlab-schema==0.4.2 yamllint

Usage: python benches/taxonomy_bench.py [--leaves 2000] [--commits 100]
           [--peer-python /work/wt/peers/taxonomy-schema/bin/python] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from taxonomy_generate import generate

PEER = r"""
import logging, os, sys
from importlib.metadata import version
from instructlab.schema.taxonomy import TaxonomyParser, TaxonomyMessageFormat
logging.disable(logging.CRITICAL)
root = sys.argv[1]
files = []
for folder in ("compositional_skills", "knowledge"):
    for d, _, names in os.walk(os.path.join(root, folder)):
        files += [os.path.join(d, n) for n in names if n.endswith(".yaml")]
parser = TaxonomyParser(schema_version=0, message_format=TaxonomyMessageFormat.LOGGING,
                        yamllint_strict=True)
bad = sum(1 for f in sorted(files) if parser.parse(f).errors)
print(f"instructlab-schema {version('instructlab-schema')}, yamllint {version('yamllint')}, "
      f"{len(files)} leaves, {bad} invalid", flush=True)
sys.exit(1 if bad else 0)
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"FAILED ({done.returncode}): {' '.join(cmd)}\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument(
        "--peer-python",
        default=os.environ.get(
            "ILAB_BENCH_PEER_PYTHON", "/work/wt/peers/taxonomy-schema/bin/python"
        ),
    )
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    peer_python = Path(args.peer_python)
    if not peer_python.exists():
        print(f"FAILED: the peer's python {peer_python} does not exist (see --help)")
        return 1
    ilab = Path(sys.executable).with_name("ilab")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ilab-taxonomy-bench-"))
    tree = work / "taxonomy"
    t0 = time.perf_counter()
    generate(tree, args.leaves, args.commits)
    size = sum(p.stat().st_size for p in tree.rglob("qna.yaml")) / 1e6
    print(
        f"tree: {args.leaves} leaves, {size:.1f} MB, {args.commits} commits "
        f"(generated in {time.perf_counter() - t0:.1f} s) at {tree}"
    )

    peer_env = {**os.environ, "PATH": f"{peer_python.parent}:{os.environ.get('PATH', '')}"}
    script = work / "peer.py"
    script.write_text(PEER)
    peer_s, peer_line = timed([str(peer_python), str(script), str(tree)], peer_env)
    print(f"peer:  {peer_line}")
    print(
        "       settings: TaxonomyParser(schema_version=0, yamllint_strict=True), yamllint "
        "config {extends: relaxed, rules: {line-length: disable}}"
    )
    print(f"       {peer_s:.2f} s ({1000 * peer_s / args.leaves:.1f} ms per leaf)")

    cache = work / "cache"
    env = {**os.environ, "ILAB_CACHE_DIR": str(cache), "ILAB_CONFIG_DIR": str(work / "config")}
    base = [str(ilab), "taxonomy", "diff", "--taxonomy-path", str(tree), "--quiet"]
    ours_s, _ = timed([*base, "--taxonomy-base", "empty", "--skip-documents"], env)
    print(f"ours:  ilab taxonomy diff --taxonomy-base empty --skip-documents: {ours_s:.3f} s")
    print(f"ratio: {peer_s / ours_s:.0f}x (peer / ours, whole processes, same tree)")
    engine = (
        "import sys, time; from pathlib import Path; from instructlab import _native; "
        "t = time.perf_counter(); _native.check_taxonomy(Path(sys.argv[1]), 'empty'); "
        "print(f'{time.perf_counter() - t:.3f}')"
    )
    _, inside = timed([sys.executable, "-c", engine, str(tree)], env)
    print(f"ours:  the engine alone (in-process, no interpreter start-up): {inside} s")

    timed([*base, "--taxonomy-base", "empty"], env)  # fills the document cache
    warm_s, _ = timed([*base, "--taxonomy-base", "empty"], env)
    print(f"ours:  full validation with documents, warm cache: {warm_s:.3f} s")

    leaf = next((tree / "compositional_skills").rglob("qna.yaml"))
    leaf.write_text(leaf.read_text().replace("created_by: bench-author", "created_by: editor"))
    one_s, _ = timed([*base, "--taxonomy-base", "origin/main"], env)
    print(f"ours:  one-leaf diff against origin/main ({args.commits} commits): {one_s:.3f} s")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
