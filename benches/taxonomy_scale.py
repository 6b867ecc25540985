"""Our absolute speed on a big taxonomy (no peer: see taxonomy_bench.py for the comparison).

Generates LEAVES leaves in COMMITS commits (default 10,000 and 1,000), then times, as whole
`ilab` processes and in-process: full validation with a warm document cache, and a one-leaf
diff against origin/main. Targets on the reference machine: full < 1 s, one-leaf diff < 0.2 s.

Every figure is the median of 5 runs: wall time, and CPU time (user + system, all threads).
The in-process figure is printed by the last of its runs.

Usage: python benches/taxonomy_scale.py [--leaves 10000] [--commits 1000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from taxonomy_generate import generate

REPEAT = 5


def run(cmd: list[str], env: dict[str, str]) -> tuple[str, str]:
    """Runs a command REPEAT times; returns the median wall and CPU (user + system) times as
    text, and the last output."""
    walls, cpus, out = [], [], ""
    for _ in range(REPEAT):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if done.returncode != 0:
            raise SystemExit(f"FAILED: {' '.join(cmd)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        out = done.stdout.strip()
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return f"{wall:.3f} s ({cpu:.3f} s CPU)", out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=10000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ilab-taxonomy-scale-"))
    tree = work / "taxonomy"
    t0 = time.perf_counter()
    generate(tree, args.leaves, args.commits)
    print(
        f"tree: {args.leaves} leaves, {args.commits} commits, generated in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    env = {**os.environ, "ILAB_CACHE_DIR": str(work / "cache"), "ILAB_CONFIG_DIR": str(work / "c")}
    ilab = [str(Path(sys.executable).with_name("ilab")), "taxonomy", "diff", "--quiet"]
    ilab += ["--taxonomy-path", str(tree)]
    run([*ilab, "--taxonomy-base", "empty"], env)  # fills the document cache
    full, _ = run([*ilab, "--taxonomy-base", "empty"], env)
    engine = (
        "import sys, time; from pathlib import Path; from instructlab.taxonomy import "
        "validate_taxonomy as v; t, c = time.perf_counter(), time.process_time(); "
        "r = v(Path(sys.argv[1]), sys.argv[2]); "
        "assert r.valid; "
        "print(f'{time.perf_counter() - t:.3f} s ({time.process_time() - c:.3f} s CPU)')"
    )
    _, full_in = run([sys.executable, "-c", engine, str(tree), "empty"], env)
    print(f"full validation, warm document cache: {full} whole process, {full_in} in-process")
    leaf = next((tree / "compositional_skills").rglob("qna.yaml"))
    leaf.write_text(leaf.read_text().replace("created_by: bench-author", "created_by: editor"))
    one, _ = run([*ilab, "--taxonomy-base", "origin/main"], env)
    _, one_in = run([sys.executable, "-c", engine, str(tree), "origin/main"], env)
    print(
        f"one-leaf diff against origin/main: {one} whole process, {one_in} in-process "
        "(the generator's index keeps no cached trees)"
    )
    # A clone, checkout or commit leaves git's cached trees in the index; so does this.
    subprocess.run(["git", "read-tree", "HEAD"], cwd=tree, check=True)
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=tree, check=False)
    one, _ = run([*ilab, "--taxonomy-base", "origin/main"], env)
    _, one_in = run([sys.executable, "-c", engine, str(tree), "origin/main"], env)
    print(
        f"the same with the index's cached trees (as after a clone or commit): {one} "
        f"whole process, {one_in} in-process"
    )
    alone, _ = run([sys.executable, "-c", "import instructlab.cli.main"], env)
    print(f"(interpreter + CLI import alone: {alone})")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
