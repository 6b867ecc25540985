"""Public registries: block types by name, and prompt templates by model family."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    import jinja2

    from instructlab.sdg.block import Block

B = TypeVar("B", bound="type[Block]")

__all__ = ["BlockRegistry", "PromptRegistry"]


class BlockRegistry:
    """Block classes by the ``type`` name pipeline files use; register custom blocks here."""

    _registry: ClassVar[dict[str, type[Block]]] = {}

    @classmethod
    def register(cls, name: str) -> Callable[[B], B]:
        """Class decorator: makes the block available to pipeline files as ``type: NAME``."""

        def decorator(block_class: B) -> B:
            cls._registry[name] = block_class
            return block_class

        return decorator

    @classmethod
    def get_registry(cls) -> dict[str, type[Block]]:
        """Every registered block type, by name."""
        _load_builtin_blocks()
        return cls._registry

    @classmethod
    def lookup(cls, name: str) -> type[Block] | None:
        """The block class registered as ``name``, or None."""
        return cls.get_registry().get(name)


def _load_builtin_blocks() -> None:
    # The built-in blocks register themselves when their modules are imported.
    import instructlab.sdg.blocks  # noqa: F401


class PromptRegistry:
    """Jinja chat templates by model family, used when a block talks to a completions API."""

    _registry: ClassVar[dict[str, str]] = {}
    _compiled: ClassVar[dict[str, Any]] = {}

    @classmethod
    def register(cls, *names: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
        """Function decorator: the function returns the template source for these families."""

        def decorator(func: Callable[[], str]) -> Callable[[], str]:
            source = func()
            for name in names:
                cls._registry[name] = source
                cls._compiled.pop(name, None)
            return func

        return decorator

    @classmethod
    def get_registry(cls) -> dict[str, str]:
        """Every registered template source, by family name."""
        _load_builtin_prompts()
        return cls._registry

    @classmethod
    def get_template(cls, name: str) -> jinja2.Template:
        """The compiled template of a family; KeyError names the known families."""
        registry = cls.get_registry()
        if name not in registry:
            known = ", ".join(sorted(registry))
            raise KeyError(f"no prompt template for model family {name!r} (known: {known})")
        if name not in cls._compiled:
            cls._compiled[name] = cls.template_from_string(registry[name])
        template: jinja2.Template = cls._compiled[name]
        return template

    @classmethod
    def template_from_string(cls, source: str) -> jinja2.Template:
        """A strict template (a missing variable is an error, never an empty string)."""
        from instructlab.sdg.prompts import environment

        return environment().from_string(source)


def _load_builtin_prompts() -> None:
    import instructlab.sdg.prompts  # noqa: F401
