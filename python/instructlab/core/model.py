"""The SDK's `Model`: serve, chat, prepare data, train, evaluate and manage models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet


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
    ) -> Any:
        """Renders, tokenises, masks and plans packing of training data."""
        raise not_yet("Model.process_data")

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
