"""`Model.process_data`: training data rendered, tokenised, masked and planned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from instructlab.core._checked import NonNegative, Positive, checked
from instructlab.core.model._base import ModelBase

if TYPE_CHECKING:
    from instructlab.train.data import ProcessSummary


class ProcessingData(ModelBase):
    """Preparing training data for the student."""

    @checked
    def process_data(
        self,
        data_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        max_seq_len: Positive | None = None,
        output_dir: str | Path | None = None,
        *,
        model_path: str | Path | None = None,
        chat_template: str | Path | None = None,
        min_seq_len: NonNegative = 2,
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
