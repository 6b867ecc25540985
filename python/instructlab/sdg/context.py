"""`PipelineContext`: the runtime parameters every block of a run shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from instructlab.llm.client import LLMClient

__all__ = ["DEFAULT_MAX_NUM_TOKENS", "PipelineContext"]

#: The longest completion a block asks for unless its ``gen_kwargs`` say otherwise.
DEFAULT_MAX_NUM_TOKENS = 4096


@dataclass
class PipelineContext:
    """What a run shares: the teacher, its model and family, scale, concurrency, checkpoints.

    ``client`` may be an :class:`~instructlab.llm.client.LLMClient`, an ``openai.OpenAI`` or
    ``AsyncOpenAI`` object (its URL, key and TLS settings are used), or a base URL string.
    A block without a ``model_id`` uses ``model_id``; a block naming one (a LoRA adapter served
    beside the base model, say) keeps its own.
    """

    client: Any = None
    model_family: str | None = None
    model_id: str | None = None
    #: What ``n: scaled`` in a block's gen_kwargs means (samples per seed example).
    num_instructions_to_generate: int | None = None
    #: A cap on requests in flight; None lets the client find the best number by itself.
    max_concurrency: int | None = None
    #: Where the request cache lives; None keeps it in memory (no resume).
    checkpoint_dir: str | Path | None = None
    max_num_tokens: int | None = DEFAULT_MAX_NUM_TOKENS
    #: "chat" (default) or "completions" (prompts rendered with the family's template).
    api: str = "chat"
    #: Per-request timeout in seconds.
    request_timeout: float = 600.0
    #: Attempts per request (the first one included).
    max_attempts: int = 5
    extra: dict[str, Any] = field(default_factory=dict)

    # Compatibility names of instructlab-sdg's context; accepted and ignored (batching is ours).
    batch_size: int | None = None
    batch_num_workers: int | None = None
    dataset_num_procs: int | None = None
    save_freq: int | None = None

    _client: LLMClient | None = field(default=None, init=False, repr=False)

    def llm(self) -> LLMClient:
        """The engine's client for ``client`` (made once)."""
        if self._client is None:
            from instructlab.llm.client import LLMClient, client_from

            if isinstance(self.client, LLMClient):
                self._client = self.client
            else:
                self._client = client_from(
                    self.client,
                    max_concurrency=self.max_concurrency,
                    timeout=self.request_timeout,
                    max_attempts=self.max_attempts,
                )
        return self._client
