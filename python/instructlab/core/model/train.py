"""`Model.train_model`: fine-tuning the student, in the foreground or detached."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from instructlab.core._checked import Ge, Gt, Lt, NonNegative, Positive, checked
from instructlab.core.model._base import ModelBase
from instructlab.errors import UsageError

if TYPE_CHECKING:
    from instructlab.system.jobs.registry import ProcessRecord
    from instructlab.train.options import TrainOptions
    from instructlab.train.result import TrainResult


class Training(ModelBase):
    """Fine-tuning the student model."""

    @checked
    def train_model(
        self,
        data_path: str | Path | None = None,
        pipeline: Literal["simple", "full", "accelerated"] | None = None,
        *,
        model_path: str | Path | None = None,
        model_id: str | None = None,
        tokenizer_path: str | Path | None = None,
        chat_template: str | None = None,
        ckpt_output_dir: str | Path | None = None,
        data_output_dir: str | Path | None = None,
        device: Literal["cpu", "cuda", "mps"] | None = None,
        dtype: Literal["float32", "bfloat16"] | None = None,
        num_epochs: Positive | None = None,
        max_steps: Positive | None = None,
        effective_batch_size: Positive | None = None,
        max_seq_len: Positive | None = None,
        max_batch_len: Positive | None = None,
        learning_rate: Annotated[float, Gt(0)] | None = None,
        lr_scheduler: Literal["cosine", "linear", "constant"] | None = None,
        warmup_steps: NonNegative | None = None,
        weight_decay: Annotated[float, Ge(0)] | None = None,
        seed: NonNegative | None = None,
        save_samples: NonNegative | None = None,
        checkpoint_at_epoch: bool | None = None,
        keep_last_checkpoints: NonNegative | None = None,
        save_state: bool | None = None,
        gradient_checkpointing: bool | None = None,
        lora_rank: NonNegative | None = None,
        lora_alpha: Annotated[float, Gt(0)] | None = None,
        lora_dropout: Annotated[float, Ge(0), Lt(1)] | None = None,
        lora_target_modules: list[str] | None = None,
        lora_save_adapter: bool | None = None,
        disable_flash_attn: bool | None = None,
        trust_remote_code: bool = False,
        threads: Positive | None = None,
        resume: bool = True,
        instructlab_options: dict[str, Any] | None = None,
        options: TrainOptions | None = None,
        detached: bool = False,
        show_progress: bool = True,
    ) -> TrainResult | ProcessRecord:
        """Fine-tunes the student on messages JSONL (a file or a folder of them).

        Every setting left ``None`` comes from the ``train`` section of the configuration
        (``train.additional_args`` first, where InstructLab keeps ``learning_rate`` and
        friends), else the built-in default; ``options`` (a
        :class:`~instructlab.train.TrainOptions`) replaces all of that. The student is
        ``model_path``, else the ``models`` entry ``model_id``, else this ``Model``'s student,
        else ``train.model_path``: a Hugging Face folder or a GGUF file. ``pipeline``:
        ``simple`` trains LoRA adapters (rank ``lora_rank``, 8 if 0), ``full`` and
        ``accelerated`` the whole model unless ``lora_rank`` > 0.

        ``instructlab_options`` takes InstructLab 0.26's other ``ilab model train`` options by
        their Python names (``input_dir``, ``iters``, ``strategy``, ...): each is mapped, with
        a warning, or refused by name (docs/training.md has the table).

        Returns a :class:`~instructlab.train.TrainResult`; with ``detached`` the run starts in
        the background (``System.processes``) and its process record comes back. SIGINT or
        SIGTERM saves the state and raises ``KeyboardInterrupt``; calling again with the same
        settings resumes.
        """
        from instructlab.train.view import SilentView, default_view

        reporter = default_view() if show_progress else SilentView()
        notes: list[str] = []

        def warn(message: str) -> None:
            notes.append(message)
            reporter.warning(message)

        if options is None:
            options = self._options(
                warn,
                instructlab_options or {},
                model_id,
                data_path=data_path,
                pipeline=pipeline,
                model_path=model_path,
                tokenizer_path=tokenizer_path,
                chat_template=chat_template,
                ckpt_output_dir=ckpt_output_dir,
                data_output_dir=data_output_dir,
                device=device,
                dtype=dtype,
                num_epochs=num_epochs,
                max_steps=max_steps,
                effective_batch_size=effective_batch_size,
                max_seq_len=max_seq_len,
                max_batch_len=max_batch_len,
                learning_rate=learning_rate,
                lr_scheduler=lr_scheduler,
                warmup_steps=warmup_steps,
                weight_decay=weight_decay,
                seed=seed,
                save_samples=save_samples,
                checkpoint_at_epoch=checkpoint_at_epoch,
                keep_last_checkpoints=keep_last_checkpoints,
                save_state=save_state,
                gradient_checkpointing=gradient_checkpointing,
                lora_rank=lora_rank,
                lora_alpha=lora_alpha,
                lora_dropout=lora_dropout,
                lora_target_modules=tuple(lora_target_modules) if lora_target_modules else None,
                lora_save_adapter=lora_save_adapter,
                disable_flash_attn=disable_flash_attn,
                trust_remote_code=trust_remote_code,
                threads=threads,
                resume=resume,
            )
        if detached:
            from instructlab.train.background import launch_detached

            return launch_detached(options)
        from instructlab.train.trainer import train

        return train(options, reporter, notes=notes)

    def _options(
        self,
        warn: Any,
        instructlab_options: dict[str, Any],
        model_id: str | None,
        **given: Any,
    ) -> TrainOptions:
        """The run's options: arguments over the configuration (see :meth:`train_model`)."""
        from instructlab.train.compat import map_instructlab_options
        from instructlab.train.options import options_from_config

        mapped = map_instructlab_options(instructlab_options, warn)
        for key, value in mapped.items():
            if given.get(key) is None:
                given[key] = value
        config = self.configuration
        if given.get("model_path") is None and model_id is not None:
            entry = next((m for m in config.models if m.id == model_id), None)
            if entry is None:
                known = ", ".join(m.id for m in config.models) or "none"
                raise UsageError(
                    f"model_id: {model_id!r} is no id in the `models` list of the configuration "
                    f"(ids: {known})",
                    "model_id",
                )
            given["model_path"] = entry.path
        if given.get("model_path") is None and self.student_model is not None:
            given["model_path"] = self.student_model
        for name in ("data_path", "ckpt_output_dir", "data_output_dir", "tokenizer_path"):
            if given.get(name) is not None:
                given[name] = str(Path(given[name]).expanduser().resolve())
        if given.get("model_path") is not None and not str(given["model_path"]).startswith(
            "embedded://"
        ):
            candidate = Path(str(given["model_path"])).expanduser()
            if candidate.exists():
                given["model_path"] = str(candidate.resolve())
        options = options_from_config(config.train, **given)
        if options.notes.get("pipeline") == "accelerated" and options.device == "cpu":
            warn("--pipeline accelerated is meant for GPUs; training the same way on the CPU")
        if instructlab_options:
            notes = dict(options.notes)
            notes["instructlab_options"] = {
                k: v for k, v in instructlab_options.items() if v is not None
            }
            options = options.replace(notes=notes)
        return options
