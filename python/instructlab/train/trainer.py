"""The training run, top to bottom: data, student, recipe (full or LoRA), loop, checkpoints.

1. The data: messages JSONL prepared by the Rust engine
   (:func:`instructlab.train.data.process_data`, reused when unchanged) with the student's
   tokenizer and chat template; the leaf of each sample from its SDG metadata.
2. The student (a Hugging Face folder or a GGUF file, :mod:`instructlab.train.student`) on its
   device (:mod:`instructlab.train.device`); adapters on top for LoRA
   (:mod:`instructlab.train.lora`).
3. Each epoch follows its own packing plan (Rust; shuffled with ``seed + epoch``): exactly
   ``effective_batch_size`` samples per optimizer step (the last step of an epoch takes what is
   left), split into micro-batches of at most ``max_batch_len`` tokens, each laid out
   padding-free (:mod:`instructlab.train.collate`). The loss of a step is the summed
   cross-entropy of its learned tokens over the number of learned tokens in the whole step
   (:mod:`instructlab.train.loss`), so micro-batching changes nothing but memory.
4. AdamW, warm-up then cosine (or linear, or constant), gradients clipped to ``max_grad_norm``.
5. Checkpoints at every epoch and every ``save_samples`` samples (at the first step boundary at
   or past each multiple), always at the end; the full state beside them, so the same command
   resumes where a run stopped: on the CPU the resumed run ends with the same weights, bit for
   bit, as one that was never interrupted.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from instructlab import __version__, extras
from instructlab.errors import FileError, InstructLabError, UsageError
from instructlab.fileio import atomic_write_text, check_dir, ensure_dir, read_text
from instructlab.train import attention
from instructlab.train import checkpoint as ckpt
from instructlab.train.collate import TokenData, collate
from instructlab.train.data import PackingSettings, _input_files, process_data, read_dataset
from instructlab.train.device import Placement, peak_rss_bytes, place
from instructlab.train.interrupt import StopRequests, TrainingInterrupted
from instructlab.train.leaves import leaf_counts
from instructlab.train.loss import summed_loss
from instructlab.train.metrics import MetricsLog, read_metrics
from instructlab.train.optim import build_optimizer, build_scheduler
from instructlab.train.options import TrainOptions
from instructlab.train.packing import plan_packing
from instructlab.train.plot import write_loss_curve
from instructlab.train.result import RunInfo, TrainResult
from instructlab.train.student import Student, find_student, load_model, write_tokenizer
from instructlab.train.view import Reporter, SilentView

__all__ = ["RunInfo", "TrainResult", "train"]

_FINISHED = "finished.json"


@dataclass
class _Position:
    """Where a run is: what the full state records."""

    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    samples_seen: int = 0
    tokens_seen: int = 0
    learned_seen: int = 0
    train_seconds: float = 0.0
    checkpoints: list[str] = field(default_factory=list)


def _need(module: str) -> Any:
    return extras.require(module, "train", "training")


def training_data(path: Path, status: Any = None) -> Path:
    """What to train on: a file as it is; a folder holding ``ilab data generate``'s output (mixes
    named ``*_train_msgs_<time>.jsonl``) means its newest skills mix (which holds the knowledge
    records too); any other folder, every ``.jsonl`` in it."""
    if not path.is_dir():
        return path
    mixes = sorted(path.glob("skills_train_msgs_*.jsonl"))
    if not mixes:
        return path
    if status is not None:
        status(f"{path} holds generated data: training on its newest mix, {mixes[-1].name}")
    return mixes[-1]


def _token_data(table: Any) -> TokenData:
    import numpy as np

    lengths = table.column("length").to_numpy().astype(np.int64)
    ids = table.column("input_ids").combine_chunks().values.to_numpy().astype(np.int64)
    labels = table.column("labels").combine_chunks().values.to_numpy().astype(np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return TokenData(ids, labels, offsets)


def _epoch_plan(
    lengths: Any, budget: int, ebs: int, seed: int, epoch: int
) -> list[list[list[int]]]:
    """Steps -> micro-batches -> sample indices, for one epoch."""
    plan = plan_packing(lengths, budget, 1, ebs, (seed + epoch) % 2**64)
    steps: list[list[list[int]]] = []
    for step, _micro, samples in plan.micro_batches(0):
        while len(steps) <= step:
            steps.append([])
        steps[step].append(samples)
    return steps


def _rng_state(placement: Placement) -> dict[str, Any]:
    import torch

    state = {"cpu": torch.get_rng_state()}
    if placement.device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(placement.device)
    return state


def _set_rng_state(placement: Placement, state: dict[str, Any]) -> None:
    import torch

    torch.set_rng_state(state["cpu"].cpu())
    if "cuda" in state and placement.device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda"].cpu(), placement.device)


def _out_of_memory(
    exc: BaseException, options: TrainOptions, tokens: int, where: str
) -> InstructLabError:
    return InstructLabError(
        f"out of memory on {where} training a micro-batch of {tokens} tokens: lower "
        f"--max-batch-len (now {options.max_batch_len}) or --max-seq-len (now "
        f"{options.max_seq_len}), train adapters only (--lora-rank 8), or turn on gradient "
        "checkpointing (additional_args.gradient_checkpointing: true)"
    )


def _recompute_activations(model: Any) -> None:
    """Gradient (activation) checkpointing of every decoder layer, non-reentrant (frozen inputs,
    as under LoRA, need no hook then)."""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    options = {"use_reentrant": False}
    if hasattr(inner, "activation_checkpointing_enable"):  # transformers >= 5.2x
        inner.activation_checkpointing_enable(activation_checkpointing_kwargs=options)
    else:
        inner.gradient_checkpointing_enable(gradient_checkpointing_kwargs=options)


def _is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, (MemoryError, torch.OutOfMemoryError)):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and (
        "can't allocate memory" in text or "out of memory" in text.lower()
    )


class _Run:
    """One run's moving parts (see the module's doc for the order of things)."""

    def __init__(self, options: TrainOptions, reporter: Reporter) -> None:
        self.o = options
        self.view = reporter
        self.warnings: list[str] = []
        self.ckpt_dir = Path(options.ckpt_output_dir).expanduser()

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.view.warning(message)

    # -- before training ---------------------------------------------------------------------

    def prepare(self) -> TrainResult | None:
        """Everything up to the first step; a result when the run is already complete."""
        o = self.o
        _need("torch")
        if not o.data_path:
            raise UsageError("data_path: no training data given", "data_path")
        self.data_path = training_data(Path(o.data_path).expanduser(), self.view.status)
        _input_files(self.data_path)
        check_dir(self.ckpt_dir, "checkpoint folder")
        self.placement = place(o.device, o.dtype)
        if o.threads is not None:
            import torch

            torch.set_num_threads(o.threads)
        self.student: Student = find_student(
            o.model_path,
            tokenizer_path=o.tokenizer_path,
            chat_template=o.chat_template,
            trust_remote_code=o.trust_remote_code,
            on_status=self.view.status,
        )
        self.view.status(f"Preparing the training data ({self.data_path})")
        self.summary = process_data(
            self.data_path,
            self.student.tokenizer_path,
            Path(o.data_output_dir).expanduser(),
            o.max_seq_len,
            chat_template=o.chat_template,
            packing=PackingSettings(
                token_budget=max(o.max_batch_len, o.max_seq_len),
                effective_batch_size=o.effective_batch_size,
                seed=o.seed,
            ),
        )
        if self.summary.dropped.get("too_long"):
            self.warn(
                f"{self.summary.dropped['too_long']} of {self.summary.records} samples are "
                f"longer than max_seq_len ({o.max_seq_len}) and were dropped"
            )
        finished = self._finished_run()
        if finished is not None:
            return finished
        table = read_dataset(self.summary.output_dir)
        self.data = _token_data(table)
        self.sample_leaves, self.leaves = leaf_counts(table)
        lengths = self.data.lengths()
        self.budget = max(o.max_batch_len, int(lengths.max()))
        self.plans: dict[int, list[list[list[int]]]] = {}
        # The plan puts exactly effective_batch_size samples in every step but an epoch's last.
        per_epoch = math.ceil(self.data.samples / o.effective_batch_size)
        self.steps_per_epoch = [per_epoch] * o.num_epochs
        self.total_steps = sum(self.steps_per_epoch)
        if o.warmup_steps >= self.total_steps and o.lr_scheduler != "constant":
            self.warn(
                f"warm-up ({o.warmup_steps} steps) is as long as the whole run "
                f"({self.total_steps} steps): the learning rate never reaches its peak "
                f"({o.learning_rate:g}); lower warmup_steps"
            )
        elif o.warmup_steps >= self.total_steps:
            self.warn(f"warm-up ({o.warmup_steps} steps) covers the whole run ({self.total_steps})")
        return None

    def _plan(self, epoch: int) -> list[list[list[int]]]:
        if epoch not in self.plans:
            self.plans = {
                epoch: _epoch_plan(
                    self.data.lengths(),
                    self.budget,
                    self.o.effective_batch_size,
                    self.o.seed,
                    epoch,
                )
            }
        return self.plans[epoch]

    def _finished_run(self) -> TrainResult | None:
        marker = ckpt.state_root(self.ckpt_dir) / _FINISHED
        if not marker.is_file():
            return None
        recorded = json.loads(read_text(marker))
        if not self.o.resume:
            return None
        if recorded.get("trajectory_key") != self.o.trajectory_key():
            raise self._other_settings(recorded.get("trajectory", {}))
        if recorded.get("data_key") != self.summary.cache_key:
            raise self._other_data()
        result = recorded.get("result", {})
        self.view.status(
            f"{self.ckpt_dir} holds this run, complete: nothing to do (--no-resume trains again)"
        )
        checkpoints = [c.path for c in ckpt.list_checkpoints(self.ckpt_dir)]
        return TrainResult(
            output_dir=self.ckpt_dir,
            checkpoints=checkpoints,
            final_model=checkpoints[-1] if checkpoints else None,
            metrics_file=self.ckpt_dir / "metrics.jsonl",
            loss_curve=self.ckpt_dir / "loss.png"
            if (self.ckpt_dir / "loss.png").is_file()
            else None,
            num_epochs=self.o.num_epochs,
            epochs_done=float(result.get("epochs_done", self.o.num_epochs)),
            steps=int(result.get("steps", 0)),
            samples_seen=int(result.get("samples_seen", 0)),
            tokens=0,
            learned_tokens=0,
            tokens_per_second=0.0,
            seconds=0.0,
            final_loss=result.get("final_loss"),
            last_epoch_mean_loss=result.get("last_epoch_mean_loss"),
            peak_rss_bytes=peak_rss_bytes(),
            device=str(result.get("device", self.o.device)),
            recipe=str(result.get("recipe", "")),
            completed=True,
            already_complete=True,
        )

    def _other_settings(self, recorded: dict[str, Any]) -> UsageError:
        now = self.o.trajectory()
        differ = sorted(k for k in set(now) | set(recorded) if now.get(k) != recorded.get(k))
        detail = ", ".join(f"{k} {recorded.get(k)!r} -> {now.get(k)!r}" for k in differ[:4])
        return UsageError(
            f"ckpt_output_dir: {self.ckpt_dir} holds a run with other settings ({detail}); "
            "run again with those settings to continue it, or pass --no-resume to start afresh "
            "there (its checkpoints are replaced), or choose another --ckpt-output-dir",
            "ckpt_output_dir",
        )

    def _other_data(self) -> UsageError:
        return UsageError(
            f"ckpt_output_dir: {self.ckpt_dir} holds a run on other training data; pass "
            "--no-resume to start afresh there, or choose another --ckpt-output-dir",
            "ckpt_output_dir",
        )

    def build(self) -> None:
        """The model, its recipe, optimizer and schedule; the saved state when resuming."""
        import torch

        o = self.o
        self.view.status(f"Loading {self.student.source}")
        attn = self._attention()
        self.boundaries = attn == attention.NAME
        state = ckpt.load_state(self.ckpt_dir) if o.resume else None
        if not o.resume:
            ckpt.clear_run(self.ckpt_dir)
        if state is not None and state.trainer.get("trajectory_key") != o.trajectory_key():
            raise self._other_settings(state.trainer.get("trajectory", {}))
        if state is not None and state.trainer.get("data_key") != self.summary.cache_key:
            raise self._other_data()
        if state is None and ckpt.list_checkpoints(self.ckpt_dir):
            self.warn(
                f"{self.ckpt_dir} holds checkpoints of an earlier run without a state to resume "
                "from; checkpoints of the same name are replaced"
            )
        torch.manual_seed(o.seed)
        model = load_model(self.student, device=self.placement.device, attn_implementation=attn)
        self.recipe = "full fine-tune"
        if o.lora is not None:
            from instructlab.train import lora

            torch.manual_seed(o.seed)
            model = lora.wrap(model, o.lora)
            self.recipe = f"LoRA (rank {o.lora.rank}, alpha {o.lora.alpha:g})"
        checkpointing = o.gradient_checkpointing
        if checkpointing is None:
            checkpointing = o.lora is not None
        if checkpointing:
            _recompute_activations(model)
        model = self.placement.prepare(model)
        model.train()
        self.model = model
        self.named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.params = [p for _, p in self.named]
        self.optimizer = build_optimizer(
            self.named,
            lr=o.learning_rate,
            betas=(o.adam_beta1, o.adam_beta2),
            eps=o.adam_epsilon,
            weight_decay=o.weight_decay,
            device=self.placement.device,
        )
        self.scheduler = build_scheduler(
            self.optimizer, o.lr_scheduler, o.warmup_steps, self.total_steps
        )
        self.pos = _Position()
        if state is not None:
            self._restore(state)
        self.metrics = MetricsLog(self.ckpt_dir / "metrics.jsonl", self.pos.global_step)

    def _attention(self) -> str | None:
        """flash-attn's varlen kernels on CUDA when installed; else our per-sample attention
        where it is exact for this model; else transformers' SDPA with a block mask."""
        cuda = self.placement.device.type == "cuda"
        if cuda and not self.o.disable_flash_attn and extras.installed("flash_attn"):
            return "flash_attention_2"
        config = json.loads(read_text(self.student.model_dir / "config.json"))
        longest = int(self.data.lengths().max())
        if attention.supports(SimpleNamespace(**config), longest):
            return attention.register()
        return None

    def _restore(self, state: ckpt.SavedState) -> None:
        import torch

        weights, rest = state.tensors(self.placement.device)
        names = {n for n, _ in self.named}
        if set(weights) != names:
            raise FileError(
                str(state.path), "holds other weights than this run trains; start afresh"
            )
        with torch.no_grad():
            for name, param in self.named:
                param.copy_(weights[name])
        self.optimizer.load_state_dict(rest["optimizer"])
        self.scheduler.load_state_dict(rest["scheduler"])
        _set_rng_state(self.placement, rest["rng"])
        t = state.trainer
        self.pos = _Position(
            epoch=int(t["epoch"]),
            step_in_epoch=int(t["step_in_epoch"]),
            global_step=int(t["global_step"]),
            samples_seen=int(t["samples_seen"]),
            tokens_seen=int(t["tokens_seen"]),
            learned_seen=int(t["learned_seen"]),
            train_seconds=float(t.get("train_seconds", 0.0)),
            checkpoints=list(t.get("checkpoints", [])),
        )
        self.view.status(f"Resuming after step {self.pos.global_step} (state {state.path})")

    # -- saving ------------------------------------------------------------------------------

    def _info(self) -> dict[str, Any]:
        o = self.o
        summary = self.summary
        epochs_done = self.pos.epoch + (
            self.pos.step_in_epoch / self.steps_per_epoch[min(self.pos.epoch, o.num_epochs - 1)]
        )
        return {
            "instructlab_version": __version__,
            "base_model": self.student.describe(),
            "tokenizer": self.student.tokenizer.origin,
            "recipe": "lora" if o.lora else "full",
            "merged": o.lora is not None,
            "samples_seen": self.pos.samples_seen,
            "tokens_seen": self.pos.tokens_seen,
            "learned_tokens_seen": self.pos.learned_seen,
            "epoch": round(epochs_done, 6),
            "step": self.pos.global_step,
            "training": o.trajectory(),
            "data": {
                "dataset": summary.dataset,
                "inputs": [entry["path"] for entry in summary.inputs],
                "cache_key": summary.cache_key,
                "samples": summary.kept,
                "tokens": summary.tokens,
                "learned_tokens": summary.learned_tokens,
            },
            "leaves": self.leaves,
        }

    def save_checkpoint(self) -> Path:
        path = ckpt.save_checkpoint(
            self.model,
            self.ckpt_dir,
            self.pos.samples_seen,
            self._info(),
            lambda folder: write_tokenizer(self.student, folder),
            adapter=bool(self.o.lora and self.o.lora.save_adapter),
        )
        if str(path) not in self.pos.checkpoints:
            self.pos.checkpoints.append(str(path))
        for gone in ckpt.prune_checkpoints(self.ckpt_dir, self.o.keep_last_checkpoints):
            if str(gone) in self.pos.checkpoints:
                self.pos.checkpoints.remove(str(gone))
        self.view.checkpoint(str(path))
        return path

    def save_state(self, rng: dict[str, Any]) -> None:
        p = self.pos
        ckpt.save_state(
            self.ckpt_dir,
            p.global_step,
            trainable={n: t for n, t in self.named},
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            rng=rng,
            trainer={
                "trajectory_key": self.o.trajectory_key(),
                "trajectory": self.o.trajectory(),
                "data_key": self.summary.cache_key,
                "epoch": p.epoch,
                "step_in_epoch": p.step_in_epoch,
                "global_step": p.global_step,
                "samples_seen": p.samples_seen,
                "tokens_seen": p.tokens_seen,
                "learned_seen": p.learned_seen,
                "train_seconds": p.train_seconds,
                "checkpoints": p.checkpoints,
                "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            },
        )

    def loss_curve(self) -> Path | None:
        rows = self.metrics.rows
        if not rows:
            return None
        starts = [r["step"] for a, r in itertools.pairwise(rows) if r["epoch"] != a["epoch"]]
        return write_loss_curve(
            self.ckpt_dir / "loss.png",
            [r["step"] for r in rows],
            [float(r["total_loss"]) for r in rows],
            starts,
        )

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> TrainResult:
        o = self.o
        p = self.pos
        info = RunInfo(
            total_steps=self.total_steps,
            num_epochs=o.num_epochs,
            steps_per_epoch=self.steps_per_epoch,
            samples=self.data.samples,
            tokens=int(self.data.lengths().sum()),
            start_step=p.global_step,
            device=self.placement.describe(),
            recipe=self.recipe,
            trainable_parameters=sum(t.numel() for t in self.params),
            parameters=sum(t.numel() for t in self.model.parameters()),
        )
        self.view.start(info)
        self.started_step = p.global_step
        self.session_tokens = 0
        self.session_learned = 0
        self.session_seconds = 0.0
        self.wall_start = time.monotonic()
        with StopRequests() as stop:
            try:
                stopped_early = self._loop(stop)
            except BaseException:
                self.metrics.close()
                self.view.close()
                raise
        result = self._result(completed=not stopped_early)
        if not stopped_early:
            self._mark_finished(result)
        self.metrics.close()
        self.view.finish(result)
        return result

    def _loop(self, stop: StopRequests) -> bool:
        """Every step left; True when ``max_steps`` stopped it before the last epoch's end."""
        import torch

        o = self.o
        p = self.pos
        save_every = o.save_samples
        next_save = (p.samples_seen // save_every + 1) * save_every if save_every else None
        stopped_early = False
        device = self.placement.device
        while p.epoch < o.num_epochs:
            steps = self._plan(p.epoch)
            while p.step_in_epoch < len(steps):
                if o.max_steps is not None and p.global_step >= o.max_steps:
                    stopped_early = True
                    break
                micro_samples = steps[p.step_in_epoch]
                rng = _rng_state(self.placement)
                started = time.perf_counter()
                batches = [
                    collate(self.data, s, device, boundaries=self.boundaries) for s in micro_samples
                ]
                learned = self.placement.sum(sum(b.learned for b in batches))
                tokens = sum(b.tokens for b in batches)
                samples = sum(b.samples for b in batches)
                loss_sum = 0.0
                for batch in batches:
                    try:
                        with self.placement.autocast():
                            loss = summed_loss(self.model, batch)
                        (loss / max(learned, 1)).backward()
                    except BaseException as exc:
                        if not isinstance(exc, KeyboardInterrupt) and _is_oom(exc):
                            raise _out_of_memory(exc, o, batch.tokens, str(device)) from None
                        raise
                    loss_sum += float(loss.detach())
                    if stop.requested:
                        break
                if stop.requested:
                    self.optimizer.zero_grad(set_to_none=True)
                    self._interrupted(stop.signum or 2, rng)
                grad_norm = torch.nn.utils.clip_grad_norm_(self.params, o.max_grad_norm)
                lr = self.scheduler.get_last_lr()[0]
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad(set_to_none=True)
                seconds = time.perf_counter() - started
                p.global_step += 1
                p.step_in_epoch += 1
                p.samples_seen += samples
                p.tokens_seen += tokens
                p.learned_seen += learned
                p.train_seconds += seconds
                self.session_tokens += tokens
                self.session_learned += learned
                self.session_seconds += seconds
                self._log_step(
                    lr,
                    loss_sum / max(learned, 1),
                    float(grad_norm),
                    learned,
                    tokens,
                    samples,
                    seconds,
                )
                if next_save is not None and p.samples_seen >= next_save:
                    next_save = (p.samples_seen // save_every + 1) * save_every
                    self.save_checkpoint()
                    if o.save_state:
                        self.save_state(_rng_state(self.placement))
                if stop.requested:
                    self._interrupted(stop.signum or 2, _rng_state(self.placement))
            if stopped_early:
                break
            # The epoch is done.
            p.epoch += 1
            p.step_in_epoch = 0
            last = p.epoch >= o.num_epochs
            already = any(Path(c).name == f"samples_{p.samples_seen}" for c in p.checkpoints)
            if (o.checkpoint_at_epoch or last) and not already:
                self.save_checkpoint()
            if o.save_state and not last:
                self.save_state(_rng_state(self.placement))
            if stop.requested:
                self._interrupted(stop.signum or 2, _rng_state(self.placement))
        if stopped_early:
            if not any(Path(c).name == f"samples_{p.samples_seen}" for c in p.checkpoints):
                self.save_checkpoint()
            if o.save_state:
                self.save_state(_rng_state(self.placement))
        return stopped_early

    def _log_step(
        self,
        lr: float,
        loss: float,
        grad_norm: float,
        learned: int,
        tokens: int,
        samples: int,
        seconds: float,
    ) -> None:
        p = self.pos
        memory = self.placement.memory()
        row = {
            "epoch": p.epoch,
            "step": p.global_step,
            "rank": self.placement.rank,
            "overall_throughput": samples / seconds if seconds > 0 else 0.0,
            "lr": lr,
            "cuda_mem_allocated": memory.get("cuda_mem_allocated", 0),
            "cuda_malloc_retries": memory.get("cuda_malloc_retries", 0),
            "num_loss_counted_tokens": learned,
            "num_tokens_rank0": tokens,
            "batch_size": samples,
            "total_loss": loss,
            "samples_seen": p.samples_seen,
            "gradnorm": grad_norm,
            "total_samples": self.data.samples,
            "timestamp": datetime.datetime.now().isoformat(),
            "tokens_per_second": tokens / seconds if seconds > 0 else 0.0,
            "learned_tokens": learned,
            "step_seconds": seconds,
            "elapsed_seconds": p.train_seconds,
            "rss_bytes": memory.get("rss_bytes", 0),
        }
        self.metrics.write(row)
        self.view.step(row)

    def _interrupted(self, signum: int, rng: dict[str, Any]) -> None:
        """Saves the state of the last finished step and raises :class:`TrainingInterrupted`."""
        if self.o.save_state and self.pos.global_step > 0:
            self.view.status(f"Stopping: saving the state after step {self.pos.global_step}")
            self.save_state(rng)
        elif not self.o.save_state:
            self.warn("stopping without saving the state (save_state is off): no resume possible")
        result = self._result(completed=False, interrupted=True)
        self.metrics.close()
        self.view.finish(result)
        raise TrainingInterrupted(signum, result)

    def _result(self, *, completed: bool, interrupted: bool = False) -> TrainResult:
        p = self.pos
        rows = self.metrics.rows
        curve = self.loss_curve()
        last_epoch = max((r["epoch"] for r in rows), default=None)
        last_losses = [float(r["total_loss"]) for r in rows if r["epoch"] == last_epoch]
        checkpoints = [Path(c) for c in p.checkpoints if Path(c).is_dir()]
        epochs_done = (
            p.epoch + p.step_in_epoch / self.steps_per_epoch[min(p.epoch, self.o.num_epochs - 1)]
        )
        return TrainResult(
            output_dir=self.ckpt_dir,
            checkpoints=checkpoints,
            final_model=checkpoints[-1] if checkpoints else None,
            metrics_file=self.metrics.path,
            loss_curve=curve,
            num_epochs=self.o.num_epochs,
            epochs_done=round(epochs_done, 4),
            steps=p.global_step,
            samples_seen=p.samples_seen,
            tokens=self.session_tokens,
            learned_tokens=self.session_learned,
            tokens_per_second=self.session_tokens / self.session_seconds
            if self.session_seconds
            else 0.0,
            seconds=time.monotonic() - self.wall_start,
            final_loss=float(rows[-1]["total_loss"]) if rows else None,
            last_epoch_mean_loss=sum(last_losses) / len(last_losses) if last_losses else None,
            peak_rss_bytes=peak_rss_bytes(),
            device=self.placement.describe(),
            recipe=self.recipe,
            completed=completed,
            interrupted=interrupted,
            resumed_from_step=self.started_step,
            warnings=list(self.warnings),
        )

    def _mark_finished(self, result: TrainResult) -> None:
        root = ensure_dir(ckpt.state_root(self.ckpt_dir))
        atomic_write_text(
            root / _FINISHED,
            json.dumps(
                {
                    "trajectory_key": self.o.trajectory_key(),
                    "trajectory": self.o.trajectory(),
                    "data_key": self.summary.cache_key,
                    "result": {
                        "epochs_done": result.epochs_done,
                        "steps": result.steps,
                        "samples_seen": result.samples_seen,
                        "final_loss": result.final_loss,
                        "last_epoch_mean_loss": result.last_epoch_mean_loss,
                        "device": result.device,
                        "recipe": result.recipe,
                    },
                },
                indent=2,
            ),
        )
        # The full state is for resuming; a finished run needs none (it holds the optimizer,
        # twice the model's size).
        for child in ckpt.state_root(self.ckpt_dir).iterdir():
            if child.is_dir():
                import shutil

                shutil.rmtree(child, ignore_errors=True)
        (ckpt.state_root(self.ckpt_dir) / "latest.json").unlink(missing_ok=True)


def train(
    options: TrainOptions, reporter: Reporter | None = None, *, notes: Sequence[str] = ()
) -> TrainResult:
    """Runs (or resumes) training as ``options`` say; see the module's doc. ``notes`` are
    warnings the caller already showed, for the result's ``warnings``.

    Raises :class:`~instructlab.train.interrupt.TrainingInterrupted` (a ``KeyboardInterrupt``)
    after saving the state when SIGINT or SIGTERM arrives.
    """
    run = _Run(options, reporter or SilentView())
    run.warnings.extend(notes)
    done = run.prepare()
    if done is not None:
        return done
    run.build()
    return run.run()


def last_metrics(ckpt_output_dir: str | Path) -> list[dict[str, Any]]:
    """The step lines of a run's ``metrics.jsonl``."""
    return read_metrics(Path(ckpt_output_dir) / "metrics.jsonl")
