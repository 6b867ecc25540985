"""`Model.serve`: a model behind an OpenAI-compatible API, in the foreground or detached."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from instructlab.core._checked import Ge, Gt, NonNegative, Positive, checked
from instructlab.core.model._base import ModelBase

if TYPE_CHECKING:
    from instructlab.serve.serving import DetachedServer


class Serving(ModelBase):
    """Serving a model, in the foreground or detached."""

    @checked
    def serve(
        self,
        model_path: str | Path | None = None,
        backend: str | None = None,
        *,
        host_port: str | None = None,
        chat_template: str | None = None,
        gpu_layers: Annotated[int, Ge(-1)] | None = None,
        max_ctx_size: Positive | None = None,
        api_key: str | None = None,
        gpus: NonNegative | None = None,
        vllm_args: list[str] | None = None,
        detached: bool = False,
        startup_timeout: Annotated[float, Gt(0)] = 120.0,
        notify: Callable[[str], None] | None = None,
    ) -> DetachedServer | int:
        """Serves a model over an OpenAI-compatible API.

        In the foreground (the default) it blocks until the server stops and returns its exit
        code; ``detached=True`` starts it in the background, tracked by ``System.processes``,
        waits until it answers, and returns where it is. Unset options come from the ``serve``
        section of the configuration. Without a model, and with ``serve.model_path`` unset or
        the embedded model (the built-in default), the newest trained checkpoint is served when
        there is one (``notify`` hears which), else the embedded model.
        """
        from instructlab.serve.serving import (
            options_from_config,
            serve_detached,
            serve_foreground,
        )

        if model_path is None:
            model_path = self._newest_or(
                self.configuration.serve.model_path, "serve.model_path", notify
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
