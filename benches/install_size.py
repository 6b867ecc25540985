"""Prints how much disk a fresh base install takes, package by package (the aim: under 300 MB).

Usage: python benches/install_size.py VENV
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT_MB = 300


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> int:
    venv = Path(sys.argv[1])
    (site,) = venv.glob("lib/python*/site-packages")
    rows = sorted(
        ((size_mb(p), p.name) for p in site.iterdir() if p.is_dir() and p.name != "__pycache__"),
        reverse=True,
    )
    total = size_mb(site)
    baseline = sum(mb for mb, name in rows if name.startswith(("pip", "setuptools", "_distutils")))
    for mb, name in rows[:8]:
        print(f"{mb:8.1f} MB  {name}")
    installed = total - baseline
    print(f"{installed:8.1f} MB  base install (site-packages without pip/setuptools)")
    if installed > LIMIT_MB:
        print(f"over the {LIMIT_MB} MB aim", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
