"""Maps configuration keys to command options, so ``--help`` shows the defaults in effect.

Click reads option defaults from ``ctx.default_map``; this builds that map from the loaded
configuration. Precedence is click's: flag, then ``ILAB_…`` environment variable, then config,
then the built-in default.
"""

from __future__ import annotations

from typing import Any

from instructlab.config import Config


def default_map(cfg: Config) -> dict[str, Any]:
    """``{group: {command: {option: value}}}`` for every command whose options mirror a key."""
    gen, serve, chat, train = cfg.generate, cfg.serve, cfg.chat, cfg.train
    generate = {
        "pipeline": gen.pipeline,
        "model": gen.model,
        "taxonomy_path": gen.taxonomy_path,
        "taxonomy_base": gen.taxonomy_base,
        "output_dir": gen.output_dir,
        "sdg_scale_factor": gen.sdg_scale_factor,
        "num_cpus": gen.num_cpus,
        "max_num_tokens": gen.max_num_tokens,
        "chunk_word_count": gen.chunk_word_count,
        "server_ctx_size": gen.teacher.llama_cpp.max_ctx_size,
        "teacher_model_id": gen.teacher_model_id,
    }
    serving = {
        "model_path": serve.model_path,
        "backend": serve.backend,
        "host_port": serve.host_port,
        "chat_template": serve.chat_template,
        "gpu_layers": serve.llama_cpp.gpu_layers,
        "max_ctx_size": serve.llama_cpp.max_ctx_size,
    }
    chatting = {"model": chat.model, "max_tokens": chat.max_tokens, "temperature": chat.temperature}
    training = {
        "data_path": train.data_path,
        "model_path": train.model_path,
        "pipeline": train.pipeline,
        "device": train.device,
        "num_epochs": train.num_epochs,
        "effective_batch_size": train.effective_batch_size,
        "max_seq_len": train.max_seq_len,
        "max_batch_len": train.max_batch_len,
        "ckpt_output_dir": train.ckpt_output_dir,
        "data_output_dir": train.data_output_dir,
        "save_samples": train.save_samples,
        "checkpoint_at_epoch": train.checkpoint_at_epoch,
        "learning_rate": train.learning_rate,
        "warmup_steps": train.warmup_steps,
        "lora_rank": train.lora_rank,
        "lora_alpha": train.lora_alpha,
        "lora_dropout": train.lora_dropout,
    }
    processing = {
        "data_path": train.data_path,
        "model_path": train.model_path,
        "max_seq_len": train.max_seq_len,
        "output_dir": train.data_output_dir,
    }
    evaluating = {
        "model": cfg.evaluate.model,
        "few_shots": cfg.evaluate.mmlu.few_shots,
        "batch_size": cfg.evaluate.mmlu.batch_size,
        "tasks_dir": cfg.evaluate.mmlu_branch.tasks_dir,
    }
    diff = {"taxonomy_path": gen.taxonomy_path, "taxonomy_base": gen.taxonomy_base}
    return {
        "taxonomy": {"diff": diff, "init": {"taxonomy_path": gen.taxonomy_path}},
        "data": {"generate": generate},
        "model": {
            "serve": serving,
            "chat": chatting,
            "train": training,
            "process-data": processing,
            "evaluate": evaluating,
        },
        "generate": generate,
        "serve": serving,
        "chat": chatting,
        "train": training,
    }
