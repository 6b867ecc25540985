"""`Model.chat`: a conversation in the terminal, or one answer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from instructlab.core._checked import Ge, Le, Positive, checked
from instructlab.core.model._base import ModelBase
from instructlab.llm.url import check_url


class Chatting(ModelBase):
    """Chatting with a model."""

    @checked
    def chat(
        self,
        question: str | None = None,
        endpoint_url: str | None = None,
        *,
        model: str | None = None,
        api_key: str | None = None,
        system_prompt: str | None = None,
        max_tokens: Positive | None = None,
        temperature: Annotated[float, Ge(0), Le(2)] | None = None,
        interactive: bool | None = None,
    ) -> str | None:
        """Chats with a model; with ``question``, answers once and returns the reply.

        Without ``endpoint_url`` the model (``model``, else the student, else ``chat.model`` from
        the configuration) is started for the length of the chat and stopped afterwards.
        ``interactive=True`` with a question answers it, then keeps chatting in the terminal.
        """
        from instructlab.llm.endpoint import Endpoint
        from instructlab.serve.chat import ChatSession, run_terminal

        if endpoint_url is not None:
            check_url(endpoint_url)
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


def _print_now(text: str) -> None:
    import sys

    sys.stdout.write(text)
    sys.stdout.flush()
