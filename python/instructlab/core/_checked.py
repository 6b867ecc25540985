"""The one way SDK arguments are checked: against the method's own type hints.

``@checked`` reads a method's annotations once (on its first call) and checks every argument
against them before the method runs: wrong types and values out of range become one
:class:`~instructlab.errors.UsageError` listing every problem, each as ``name: what is wrong``,
with ``param`` naming the first (the CLI names the option that sets it). A few conversions are
made on the way in, as users expect of Python: an int where a float is expected, a ``str`` where
a ``Path`` is expected.

Ranges are written in the annotation (``Annotated[int, Ge(1)]``, with the bounds of
:mod:`instructlab._bounds`, re-exported here): the signature documents the contract and this
module enforces it. :func:`check_fields` checks a typed options record (a dataclass whose
fields are annotated the same way, such as ``GenerateOptions``) by the same rules.
Annotations of names imported only for type checking (the configuration model, result types)
are not checked: they are the SDK's own objects, and importing them to check would cost the
start-up that lazy imports save.
It is written here rather than with pydantic's ``validate_call`` because that costs ~100 ms of
import on every command, more than ``ilab taxonomy diff`` takes as a whole.
"""

from __future__ import annotations

import builtins
import collections.abc
import dataclasses
import functools
import inspect
import math
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from instructlab._bounds import Fraction, Ge, Gt, Le, Lt, NonNegative, Positive
from instructlab.errors import UsageError

__all__ = [
    "Fraction",
    "Ge",
    "Gt",
    "Le",
    "Lt",
    "NonNegative",
    "Positive",
    "check_fields",
    "checked",
]

P = ParamSpec("P")
R = TypeVar("R")


class _Bad(Exception):
    """One argument is wrong; the message says what was expected and what came."""


def _show(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


class _Namespace(dict[str, Any]):
    """Evaluates an annotation string: names the module has, else builtins, else ``Any``."""

    def __init__(self, module_globals: dict[str, Any]) -> None:
        super().__init__()
        self.module_globals = module_globals

    def __missing__(self, key: str) -> Any:
        if key in self.module_globals:
            return self.module_globals[key]
        return getattr(builtins, key, Any)


def _resolve(annotation: Any, module_globals: dict[str, Any]) -> Any:
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, {"__builtins__": builtins}, _Namespace(module_globals))
    except Exception:  # an annotation we cannot evaluate is not checked
        return Any


_UNCHECKED = (typing.IO, typing.TextIO, typing.BinaryIO)


def _check(value: Any, hint: Any) -> Any:
    """``value`` if it fits ``hint`` (converted where Python users expect it), else ``_Bad``."""
    if hint is Any or hint is inspect.Parameter.empty or hint in _UNCHECKED:
        return value
    if hint is None or hint is type(None):
        if value is None:
            return None
        raise _Bad(f"expected None, got {_show(value)}")
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        checked_value = _check(value, args[0])
        for rule in args[1:]:
            _check_rule(checked_value, rule)
        return checked_value
    if origin in (typing.Union, types.UnionType):
        return _check_union(value, args)
    if origin is typing.Literal:
        if value in args:
            return value
        raise _Bad(f"expected one of {', '.join(map(repr, args))}, got {_show(value)}")
    if origin in (list, collections.abc.Sequence, tuple) and not (origin is tuple and args):
        return _check_sequence(value, args[0] if args else Any, origin)
    if origin in (dict, collections.abc.Mapping):
        return _check_mapping(value, args)
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        if callable(value):
            return value
        raise _Bad(f"expected a function, got {_show(value)}")
    return _check_plain(value, hint)


def _check_union(value: Any, args: tuple[Any, ...]) -> Any:
    # An exact fit first (so `str | Path` keeps a str a str), then conversions.
    for arg in args:
        if isinstance(arg, type) and type(value) is arg:
            return _check(value, arg)
    problems = []
    for arg in args:
        try:
            return _check(value, arg)
        except _Bad as bad:
            problems.append(str(bad))
    given = [arg for arg in args if arg is not None and arg is not type(None)]
    if len(given) == 1:  # `X | None`: what is wrong with it as an X says more
        raise _Bad(problems[args.index(given[0])])
    names = " or ".join(_name(arg) for arg in args)
    raise _Bad(f"expected {names}, got {_show(value)}")


def _check_sequence(value: Any, item: Any, origin: Any) -> Any:
    if isinstance(value, (str, bytes)):
        raise _Bad(f"expected a list, got a single {_show(value)}; wrap it in [ ]")
    if not isinstance(value, (list, tuple)):
        raise _Bad(f"expected a list, got {_show(value)}")
    out = []
    for index, element in enumerate(value):
        try:
            out.append(_check(element, item))
        except _Bad as bad:
            raise _Bad(f"[{index}]: {bad}") from None
    return tuple(out) if origin is tuple else out


def _check_mapping(value: Any, args: tuple[Any, ...]) -> Any:
    if not isinstance(value, collections.abc.Mapping):
        raise _Bad(f"expected a mapping, got {_show(value)}")
    key_hint, value_hint = args if len(args) == 2 else (Any, Any)
    out = {}
    for key, item in value.items():
        try:
            out[_check(key, key_hint)] = _check(item, value_hint)
        except _Bad as bad:
            raise _Bad(f"[{key!r}]: {bad}") from None
    return out


def _check_plain(value: Any, hint: Any) -> Any:
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise _Bad(f"expected True or False, got {_show(value)}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Bad(f"expected a whole number, got {_show(value)}")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and math.isnan(value):
                raise _Bad("expected a number, got nan")
            return float(value)
        raise _Bad(f"expected a number, got {_show(value)}")
    if hint is str:
        if isinstance(value, str):
            return value
        raise _Bad(f"expected a string, got {_show(value)}")
    if hint is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
        raise _Bad(f"expected a path, got {_show(value)}")
    if isinstance(hint, type):
        if isinstance(value, hint):
            return value
        raise _Bad(f"expected {_name(hint)}, got {_show(value)}")
    return value  # a type form this checker does not know: let it through


_RULES: dict[type, tuple[Callable[[Any, float], bool], str]] = {
    Gt: (lambda v, b: v > b, "above"),
    Ge: (lambda v, b: v >= b, "at least"),
    Lt: (lambda v, b: v < b, "below"),
    Le: (lambda v, b: v <= b, "at most"),
}


def _check_rule(value: Any, rule: Any) -> None:
    found = _RULES.get(type(rule))
    if found is None or value is None:
        return
    fits, words = found
    if not fits(value, rule.bound):
        bound = int(rule.bound) if float(rule.bound).is_integer() else rule.bound
        raise _Bad(f"must be {words} {bound}, got {value!r}")


def _name(hint: Any) -> str:
    if hint is None or hint is type(None):
        return "None"
    if typing.get_origin(hint) is typing.Annotated:
        return _name(typing.get_args(hint)[0])
    names = {bool: "True/False", int: "a whole number", float: "a number", str: "a string"}
    if hint in names:
        return names[hint]
    if hint is Path:
        return "a path"
    origin = typing.get_origin(hint)
    if origin in (list, collections.abc.Sequence, tuple):
        return "a list"
    if origin in (dict, collections.abc.Mapping):
        return "a mapping"
    return getattr(hint, "__name__", str(hint))


def checked(func: Callable[P, R]) -> Callable[P, R]:
    """Checks the arguments of ``func`` against its annotations on every call (see the module).

    Raises:
        UsageError: an argument does not fit its annotation, or the call's arguments do not fit
            the signature (a missing or unknown argument).
    """
    signature = inspect.signature(func)
    hints: dict[str, Any] | None = None
    where = func.__qualname__

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal hints
        if hints is None:
            module_globals = getattr(func, "__globals__", {})
            hints = {
                name: _resolve(param.annotation, module_globals)
                for name, param in signature.parameters.items()
                if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
            }
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise UsageError(f"{where}(): {exc}") from None
        problems: list[tuple[str, str]] = []
        for name, value in list(bound.arguments.items()):
            hint = hints.get(name, Any)
            try:
                bound.arguments[name] = _check(value, hint)
            except _Bad as bad:
                problems.append((name, str(bad)))
        if problems:
            lines = [f"{name}: {problem}" for name, problem in problems]
            raise UsageError("; ".join(lines), param=problems[0][0])
        return func(*bound.args, **bound.kwargs)

    return wrapper


_FIELD_HINTS: dict[type, dict[str, Any]] = {}
T = TypeVar("T")


def check_fields(record: T) -> T:
    """``record`` (a dataclass instance) with every field checked against its annotation, as
    :func:`checked` checks arguments; a new instance where a value was converted (a ``str``
    given for a ``Path``).

    Raises:
        UsageError: every field that does not fit, each as ``name: what is wrong``, with
            ``param`` naming the first (the CLI names the option that sets it).
    """
    cls = type(record)
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"check_fields() takes a dataclass instance, not {cls.__name__}")
    hints = _FIELD_HINTS.get(cls)
    if hints is None:
        module_globals = vars(sys.modules[cls.__module__])
        hints = {f.name: _resolve(f.type, module_globals) for f in dataclasses.fields(record)}
        _FIELD_HINTS[cls] = hints
    problems: list[tuple[str, str]] = []
    changed: dict[str, Any] = {}
    for name, hint in hints.items():
        value = getattr(record, name)
        try:
            checked_value = _check(value, hint)
        except _Bad as bad:
            problems.append((name, str(bad)))
            continue
        if checked_value is not value:
            changed[name] = checked_value
    if problems:
        lines = [f"{name}: {problem}" for name, problem in problems]
        raise UsageError("; ".join(lines), param=problems[0][0])
    return dataclasses.replace(record, **changed) if changed else record
