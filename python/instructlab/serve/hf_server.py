"""``python -m instructlab.serve.hf_server``: a model directory served through transformers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from instructlab.serve.generation import Engine
from instructlab.serve.server_main import base_parser, run


def _engine(args: argparse.Namespace) -> Engine:
    from instructlab.serve.hf_engine import TransformersEngine

    path = Path(args.model)
    return TransformersEngine(
        path,
        model_id=args.model_id or path.name,
        ctx_size=args.ctx_size,
        chat_template=args.chat_template,
    )


def main(argv: list[str] | None = None) -> int:
    """Parses the command line and serves until SIGTERM, Ctrl-C or the parent's exit."""
    parser = base_parser("Serve a Hugging Face model directory over an OpenAI-compatible API.")
    return run(parser.parse_args(argv), _engine)


if __name__ == "__main__":
    sys.exit(main())
