"""Chat templates per model family, for pipelines that use a completions API.

A template receives ``messages`` (a list of ``{"role", "content"}``), ``prompt`` (the user text) and
``add_generation_prompt``. The chat API needs none of this: the server applies the model's own
template. Families only matter when a block asks for raw completions.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from instructlab.sdg.registry import PromptRegistry

if TYPE_CHECKING:
    import jinja2

__all__ = ["detect_model_family", "environment"]


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment every prompt template shares: undefined variables are errors."""
    import jinja2

    return jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


@PromptRegistry.register("blank")
def _blank() -> str:
    return "{{ prompt }}"


@PromptRegistry.register("granite", "merlinite")
def _granite() -> str:
    return (
        "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
    )


@PromptRegistry.register("mistral", "mixtral")
def _mistral() -> str:
    return (
        "<s>{% for m in messages %}{% if m['role'] == 'assistant' %} {{ m['content'] }}</s>"
        "{% else %}[INST] {{ m['content'] }} [/INST]{% endif %}{% endfor %}"
    )


@PromptRegistry.register("llama")
def _llama() -> str:
    return (
        "<|begin_of_text|>{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
        "<|end_header_id|>\n\n{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
        "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n"
        "{% endif %}"
    )


@PromptRegistry.register("chatml", "smollm", "qwen")
def _chatml() -> str:
    return (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )


_FAMILY_HINTS = (
    ("granite", "granite"),
    ("merlinite", "granite"),
    ("mixtral", "mistral"),
    ("mistral", "mistral"),
    ("llama", "llama"),
    ("smollm", "chatml"),
    ("qwen", "chatml"),
)


def detect_model_family(given: str | None, model: str | None) -> str:
    """The family to use: the one given if registered, else a guess from the model's name."""
    known = PromptRegistry.get_registry()
    if given:
        if given.lower() not in known:
            raise KeyError(f"unknown model family {given!r}; known: {', '.join(sorted(known))}")
        return given.lower()
    name = (model or "").lower()
    for hint, family in _FAMILY_HINTS:
        if hint in name:
            return family
    return "granite"
