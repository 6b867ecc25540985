"""`Model.chat`: a conversation in the terminal, or one answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from instructlab.core._checked import Ge, Le, Positive, checked
from instructlab.core.model._base import ModelBase
from instructlab.llm.url import check_url

if TYPE_CHECKING:
    from instructlab.rag import Passage


class ChatReply(str):
    """A reply (a ``str``), with the passages retrieval put into the question (``--rag``)."""

    passages: tuple[Passage, ...] = ()
    #: What was cut to fit the model's context, or ``None``.
    note: str | None = None


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
        rag: bool | None = None,
        top_k: Positive | None = None,
        document_store_uri: str | Path | None = None,
        collection_name: str | None = None,
        embedding_model: str | Path | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> str | None:
        """Chats with a model; with ``question``, answers once and returns the reply.

        Without ``endpoint_url`` the model (``model``, else the student, else ``chat.model`` from
        the configuration) is started for the length of the chat and stopped afterwards.
        ``interactive=True`` with a question answers it, then keeps chatting in the terminal.

        With ``rag`` (default ``rag.enabled``), the ``top_k`` (default ``rag.retriever.top_k``)
        best passages of the document store go into each question with their sources, as many
        as fit the model's context (``serve.llama_cpp.max_ctx_size``); the reply is then a
        :class:`ChatReply` carrying them. The store is opened before any model starts: no
        store, or a store of another embedding model, raises ``FileError`` — there is no chat
        without the retrieval asked for. ``notify`` hears what a person should know (BM25 only,
        passages cut to fit).
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
        use_rag = self.configuration.rag.enabled if rag is None else rag
        augment = None
        ctx_size = self.configuration.serve.llama_cpp.max_ctx_size
        if use_rag:
            augment = self._rag_augmenter(
                top_k,
                document_store_uri,
                collection_name,
                embedding_model,
                ctx_size,
                max_tokens if max_tokens is not None else config.max_tokens,
                notify,
            )

        def talk(endpoint: Endpoint, model_id: str) -> str | None:
            session = ChatSession(
                endpoint,
                model_id,
                system_prompt=system_prompt,
                max_tokens=max_tokens if max_tokens is not None else config.max_tokens,
                temperature=temp,
                logs_dir=Path(config.logs_dir),
                augment=augment,
            )
            if config.session and interactive:
                session.load(Path(config.session))
            if question is not None and not interactive:
                reply = ChatReply(session.ask(question))
                if session.last_rag is not None:
                    reply.passages = session.last_rag.used
                    reply.note = session.last_rag.note()
                return reply
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
        target = model or self.student_model or self._newest_or(config.model, "chat.model", notify)
        options = {"ctx_size": ctx_size} if use_rag else {}
        with self.running_server(target, api_key=api_key, **options) as server:
            return talk(Endpoint(server.base_url, server.api_key), server.model_id)

    def _rag_augmenter(
        self,
        top_k: int | None,
        document_store_uri: str | Path | None,
        collection_name: str | None,
        embedding_model: str | Path | None,
        ctx_size: int,
        max_tokens: int | None,
        notify: Callable[[str], None] | None,
    ) -> Callable[[str, int], object]:
        """Opens the store (failing now, before a model starts) and returns what turns a
        question into its RAG prompt, given the tokens the conversation already takes."""
        from instructlab.core.rag import RAG
        from instructlab.rag import build_prompt

        retriever = RAG(
            document_store_uri, collection_name, embedding_model, self._given
        ).retriever()
        k = top_k or self.configuration.rag.retriever.top_k
        if retriever.mode == "bm25" and notify is not None:
            notify(
                "RAG: the document store has no embedding model; passages are found by BM25 "
                "(words in common)."
            )
        reply_room = max_tokens or max(256, ctx_size // 4)

        def augment(question: str, used_tokens: int) -> object:
            room = ctx_size - reply_room - used_tokens
            prompt = build_prompt(question, retriever.retrieve(question, k), room)
            note = prompt.note()
            if note and notify is not None:
                notify(note)
            return prompt

        return augment


def _print_now(text: str) -> None:
    import sys

    sys.stdout.write(text)
    sys.stdout.flush()
