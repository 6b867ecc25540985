"""Benchmarks that time the native core refuse a debug build of it.

`make setup` builds the extension with `maturin develop` (debug profile: our crates unoptimised,
quick to rebuild for tests), which runs the Rust kernels many times slower than a user's wheel.
A figure taken from it would be wrong, so these benchmarks stop before measuring. Build a
release extension into the environment first:

    maturin develop --release        # in the environment that runs the benchmark
"""

from __future__ import annotations

import sys


def require_release() -> None:
    """Print the native core's build; exit 1 unless it is optimised."""
    from instructlab import _native

    info = _native.build_info()
    print(
        f"native core: {info['profile']} build (opt-level {info['opt_level']}), "
        f"{info.get('target', '')}",
        file=sys.stderr,
        flush=True,
    )
    if info["profile"] != "release" or str(info["opt_level"]) == "0":
        print(
            "FAIL: the native core is a debug build (as `make setup` makes it); its timings "
            "would not be a user's. Run `maturin develop --release` in this environment first.",
            file=sys.stderr,
        )
        sys.exit(1)
