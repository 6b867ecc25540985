"""The SDK's `Model`: serve, chat, prepare data, train, evaluate and manage models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet

if TYPE_CHECKING:
    from instructlab.train.data import ProcessSummary


class Model(ConfiguredBase):
    """A student model and what can be done with it (v1alpha1).

    ``Model(student_model=..., configuration=...)`` sets defaults for every method; each method
    also takes its own overrides.
    """

    def __init__(
        self,
        student_model: str | Path | None = None,
        configuration: ConfigModel | str | Path | None = None,
    ) -> None:
        super().__init__(configuration)
        self.student_model = student_model

    def serve(self, model_path: str | Path | None = None, backend: str | None = None) -> Any:
        """Serves a model over an OpenAI-compatible API."""
        raise not_yet("Model.serve")

    def chat(self, question: str | None = None, endpoint_url: str | None = None) -> Any:
        """Chats with a model; with ``question``, answers once and returns the reply."""
        raise not_yet("Model.chat")

    def list(self) -> Any:
        """Models in the models directory, the embedded one included."""
        raise not_yet("Model.list")

    def download(self, source: str, destination: str | Path | None = None) -> Any:
        """Copies a model from a local path or a Hugging Face repository."""
        raise not_yet("Model.download")

    def remove(self, model: str) -> Any:
        """Deletes a model from the models directory."""
        raise not_yet("Model.remove")

    def convert(self, model_dir: str | Path) -> Any:
        """Converts a trained model (e.g. to GGUF)."""
        raise not_yet("Model.convert")

    def upload(self, model: str | Path, destination: str) -> Any:
        """Uploads a model."""
        raise not_yet("Model.upload")

    def process_data(
        self,
        data_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        max_seq_len: int | None = None,
        output_dir: str | Path | None = None,
        *,
        model_path: str | Path | None = None,
        chat_template: str | Path | None = None,
        min_seq_len: int = 2,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ProcessSummary:
        """Renders, tokenises, masks and plans packing of training data.

        ``data_path`` is a messages ``.jsonl`` file or a folder of them (default: the configured
        ``train.data_path``); the tokenizer and chat template come from ``tokenizer_path``, else
        ``model_path``, else this model, else ``train.model_path`` (a Hugging Face model folder,
        a ``tokenizer.json`` or a ``.gguf``). Writes ``data.parquet`` and ``summary.json`` to
        ``output_dir`` (default ``train.data_output_dir``); an unchanged re-run reuses them.
        The packing figures in the summary are for ``train.max_batch_len``,
        ``train.effective_batch_size`` and ``nproc_per_node * nnodes`` ranks.
        """
        from instructlab.train.data import PackingSettings
        from instructlab.train.data import process_data as run

        train = self.configuration.train
        tokenizer = tokenizer_path or model_path or self.student_model or train.model_path
        return run(
            data_path if data_path is not None else train.data_path,
            tokenizer,
            output_dir if output_dir is not None else train.data_output_dir,
            max_seq_len if max_seq_len is not None else train.max_seq_len,
            min_seq_len=min_seq_len,
            chat_template=chat_template,
            packing=PackingSettings(
                token_budget=max(train.max_batch_len, max_seq_len or train.max_seq_len),
                ranks=train.nproc_per_node * train.nnodes,
                effective_batch_size=train.effective_batch_size,
            ),
            force=force,
            progress=progress,
        )

    def train_model(self, data_path: str | Path | None = None, pipeline: str | None = None) -> Any:
        """Fine-tunes the student model."""
        raise not_yet("Model.train_model")

    def evaluate_mmlu_bench(self, model: str | Path | None = None) -> Any:
        """MMLU."""
        raise not_yet("Model.evaluate_mmlu_bench")

    def evaluate_mmlu_branch(self, model: str | Path | None = None) -> Any:
        """MMLU on the taxonomy branch's knowledge, against the base model."""
        raise not_yet("Model.evaluate_mmlu_branch")

    def evaluate_mt_bench(self, model: str | Path | None = None) -> Any:
        """MT-Bench."""
        raise not_yet("Model.evaluate_mt_bench")

    def evaluate_mt_bench_branch(self, model: str | Path | None = None) -> Any:
        """MT-Bench on the taxonomy branch's skills, against the base model."""
        raise not_yet("Model.evaluate_mt_bench_branch")

    def evaluate_dk_bench(self, model: str | Path | None = None) -> Any:
        """DK-Bench on the user's own questions."""
        raise not_yet("Model.evaluate_dk_bench")
