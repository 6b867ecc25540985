"""``ilab model``: serve, chat, train, evaluate and manage models; one module per command."""

from __future__ import annotations

from instructlab.cli._common import group
from instructlab.cli.model.before_after import test
from instructlab.cli.model.chat import chat
from instructlab.cli.model.convert import convert
from instructlab.cli.model.evaluate import evaluate
from instructlab.cli.model.manage import download, list_, remove
from instructlab.cli.model.process_data import process_data
from instructlab.cli.model.serve import serve
from instructlab.cli.model.train import train
from instructlab.cli.model.upload import upload

__all__ = ["chat", "model", "serve", "train"]


@group("model", "Serve, chat with, train, evaluate and manage models.")
def model() -> None:
    pass


for _command in (
    serve,
    chat,
    train,
    process_data,
    evaluate,
    list_,
    download,
    remove,
    convert,
    test,
    upload,
):
    model.add_command(_command)
