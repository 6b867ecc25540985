"""Rendering a conversation into a prompt with a model's Jinja chat template.

The template comes from the model (GGUF metadata ``tokenizer.chat_template`` or a tokenizer's
``chat_template``), or from a file the user names. Templates run in Jinja's sandbox.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from instructlab.errors import ChatTemplateError
from instructlab.fileio import read_text

#: Used when a model carries no template: ChatML, which many small instruct models follow.
CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def load_template(option: str | None, from_model: str | None) -> str:
    """The template to use: a file named by ``option``, else the model's, else ChatML.

    ``option`` may also be ``"auto"`` or ``"tokenizer"``: both mean the model's own template.
    """
    if option and option not in ("auto", "tokenizer"):
        return read_text(Path(option).expanduser(), what="a chat template")
    return from_model or CHATML


def template_text(value: str | Path) -> str:
    """A chat template given as its text, or as the file holding it.

    Text with Jinja markup (``{{``, ``{%``) or a line break is a template; anything else names a
    file, which must exist: a mistyped path is never taken for a template that renders nothing.
    """
    if isinstance(value, str) and ("{{" in value or "{%" in value or "\n" in value):
        return value
    return read_text(Path(value).expanduser(), what="a chat template (or its text, with {% %})")


class ChatTemplate:
    """A compiled chat template with the special tokens it may refer to."""

    def __init__(self, source: str, bos_token: str = "", eos_token: str = "") -> None:
        from jinja2 import TemplateError
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message: str) -> None:
            raise ChatTemplateError(message)

        def strftime_now(fmt: str) -> str:
            return datetime.datetime.now().strftime(fmt)

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = raise_exception
        env.globals["strftime_now"] = strftime_now
        try:
            self._template = env.from_string(source)
        except TemplateError as exc:
            raise ChatTemplateError(f"the template does not compile: {exc}") from None
        self.source = source
        self.bos_token = bos_token
        self.eos_token = eos_token

    def render(self, messages: list[dict[str, Any]], add_generation_prompt: bool = True) -> str:
        """The prompt text for ``messages``; :class:`ChatTemplateError` when the template fails
        (or calls ``raise_exception``, as templates do to refuse a conversation)."""
        from jinja2 import TemplateError

        try:
            return self._template.render(
                messages=messages,
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
            )
        except TemplateError as exc:
            raise ChatTemplateError(str(exc)) from None
