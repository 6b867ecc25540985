"""The SDK's `Model`: serve, chat, prepare data, train, evaluate and manage models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._pending import not_yet

if TYPE_CHECKING:
    from instructlab.models.folder import ModelInfo
    from instructlab.serve.serving import DetachedServer
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

    def serve(
        self,
        model_path: str | Path | None = None,
        backend: str | None = None,
        *,
        host_port: str | None = None,
        chat_template: str | None = None,
        gpu_layers: int | None = None,
        max_ctx_size: int | None = None,
        api_key: str | None = None,
        gpus: int | None = None,
        vllm_args: list[str] | None = None,
        detached: bool = False,
        startup_timeout: float = 120.0,
    ) -> DetachedServer | int:
        """Serves a model over an OpenAI-compatible API.

        In the foreground (the default) it blocks until the server stops and returns its exit
        code; ``detached=True`` starts it in the background, tracked by ``System.processes``,
        waits until it answers, and returns where it is. Unset options come from the ``serve``
        section of the configuration; the model defaults to the embedded one.
        """
        from instructlab.serve.serving import (
            options_from_config,
            serve_detached,
            serve_foreground,
        )

        options = options_from_config(
            self.configuration.serve,
            model_path=model_path,
            backend=backend,
            host_port=host_port,
            chat_template=chat_template,
            gpu_layers=gpu_layers,
            max_ctx_size=max_ctx_size,
            api_key=api_key,
            gpus=gpus,
            vllm_args=vllm_args,
        )
        if detached:
            return serve_detached(options, startup_timeout)
        return serve_foreground(options)

    def running_server(self, model_path: str | Path | None = None, **options: Any) -> Any:
        """A context manager serving the model (default: the student, else the configured
        serving model) on a free port: see :func:`instructlab.serve.running_server`."""
        from instructlab.llm.running import running_server

        model = model_path or self.student_model or self.configuration.serve.model_path
        return running_server(model, **options)

    def chat(
        self,
        question: str | None = None,
        endpoint_url: str | None = None,
        *,
        model: str | None = None,
        api_key: str | None = None,
        system_prompt: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        interactive: bool | None = None,
    ) -> str | None:
        """Chats with a model; with ``question``, answers once and returns the reply.

        Without ``endpoint_url`` the model (``model``, else the student, else ``chat.model`` from
        the configuration) is started for the length of the chat and stopped afterwards.
        ``interactive=True`` with a question answers it, then keeps chatting in the terminal.
        """
        from instructlab.llm.endpoint import Endpoint
        from instructlab.serve.chat import ChatSession, run_terminal

        config = self.configuration.chat
        interactive = question is None if interactive is None else interactive
        temp = temperature if temperature is not None else config.temperature
        if config.greedy_mode and temperature is None:
            temp = 0.0

        def talk(endpoint: Endpoint, model_id: str) -> str | None:
            session = ChatSession(
                endpoint,
                model_id,
                system_prompt=system_prompt,
                max_tokens=max_tokens if max_tokens is not None else config.max_tokens,
                temperature=temp,
                logs_dir=Path(config.logs_dir),
            )
            if config.session and interactive:
                session.load(Path(config.session))
            if question is not None and not interactive:
                return session.ask(question)
            if question is not None:
                session.ask(question, _print_now)
                print()
            run_terminal(session)
            return None

        if endpoint_url is not None:
            from instructlab.models.embedded import is_embedded

            endpoint = Endpoint(endpoint_url, api_key)
            named = model if model and not is_embedded(model) else None
            model_id = named or (endpoint.models() or ["default"])[0]
            return talk(endpoint, model_id)
        target = model or self.student_model or config.model
        with self.running_server(target, api_key=api_key) as server:
            return talk(Endpoint(server.base_url, server.api_key), server.model_id)

    def list(self) -> list[ModelInfo]:
        """Models in the models directory, the embedded one included."""
        from instructlab.models.folder import list_models

        return list_models()

    def download(
        self,
        source: str,
        destination: str | Path | None = None,
        *,
        filename: str | None = None,
        revision: str | None = None,
        token: str | None = None,
    ) -> Path:
        """Copies a model from a local path, or downloads a Hugging Face repository (or one file
        of it); returns where it now is."""
        from instructlab.models.folder import download

        target = Path(destination) if destination is not None else None
        return download(source, target, filename=filename, revision=revision, token=token)

    def remove(self, model: str) -> Path:
        """Deletes a model from the models directory; returns what was deleted."""
        from instructlab.models.folder import remove

        return remove(model)

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


def _print_now(text: str) -> None:
    import sys

    sys.stdout.write(text)
    sys.stdout.flush()
