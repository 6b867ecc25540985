"""``python -m instructlab.serve.supervise ID -- ARGV...``: runs a detached job and records its end.

It forwards SIGTERM and SIGINT to the job, waits, and writes the exit code into the process
record, so ``ilab process list`` can say "done" or "failed" after the fact.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from instructlab.serve.processes import record_exit


def main(argv: list[str]) -> int:
    """Runs the job named after ``--`` and returns its exit code."""
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m instructlab.serve.supervise ID -- COMMAND...", file=sys.stderr)
        return 2
    process_id, command = argv[0], argv[2:]
    child = subprocess.Popen(command)

    def forward(signum: int, _frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = child.wait()
    record_exit(process_id, code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
