"""``python -m instructlab.serve.llama_server``: a GGUF model behind our batched engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from instructlab.serve.generation import Engine
from instructlab.serve.server_main import base_parser, run


def _engine(args: argparse.Namespace) -> Engine:
    from instructlab.serve.llama_engine import LlamaEngine

    path = Path(args.model)
    return LlamaEngine(
        path,
        model_id=args.model_id or path.stem,
        ctx_size=args.ctx_size,
        parallel=args.parallel,
        threads=args.threads,
        gpu_layers=args.gpu_layers,
        batch_size=args.batch_size,
        chat_template=args.chat_template,
    )


def main(argv: list[str] | None = None) -> int:
    """Parses the command line and serves until SIGTERM, Ctrl-C or the parent's exit."""
    parser = base_parser("Serve a GGUF model over an OpenAI-compatible API (llama.cpp).")
    parser.add_argument("--parallel", type=int, default=16, help="sequences decoded together")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    parser.add_argument("--gpu-layers", type=int, default=-1, help="layers on the GPU (-1 = all)")
    parser.add_argument("--batch-size", type=int, default=512, help="tokens per decode step")
    return run(parser.parse_args(argv), _engine)


if __name__ == "__main__":
    sys.exit(main())
