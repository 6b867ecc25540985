"""``python -m instructlab.train --options FILE``: one training run from an options file.

This is the command of a detached run (``ilab model train -dt``, tracked by ``ilab process``)
and what torchrun starts on every rank in the multi-GPU trainer. Exit codes are the CLI's: 0 done,
1 failure, 2 bad options, 3 not implemented yet, 130 stopped by SIGINT or SIGTERM with the state
saved (the same command resumes).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from instructlab.errors import InstructLabError, UsageError
from instructlab.fileio import read_text


def main(argv: list[str] | None = None) -> int:
    """Runs the training the options file describes; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m instructlab.train", description="Run one training from an options file."
    )
    parser.add_argument("--options", required=True, type=Path, help="TrainOptions as JSON.")
    args = parser.parse_args(argv)
    try:
        from instructlab.train.options import TrainOptions
        from instructlab.train.trainer import train
        from instructlab.train.view import default_view

        try:
            options = TrainOptions.from_json(read_text(args.options, what="training options"))
        except (json.JSONDecodeError, TypeError) as exc:
            raise UsageError(f"{args.options}: not training options ({exc})") from None
        result = train(options, default_view())
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr, flush=True)
        return 130
    except InstructLabError as exc:
        print(f"Error: {exc.message}", file=sys.stderr, flush=True)
        return exc.exit_code
    final = result.final_model
    print(f"Final model: {final}" if final else "No checkpoint was written.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
