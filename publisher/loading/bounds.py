"""Limits on what one template may build and how long templates may run.

A manifest is written by anyone who can open a pull request, and it is rendered on a machine
that holds secrets: no template may exhaust its memory or its time. Sizes are checked before
a value is built (an operator or call whose result would be too large is refused), output
is cut as it streams, and Jinja's rendering runs under a timer.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2.runtime

MAX_VALUE = 1_000_000  # characters (or items) in one value a template makes
MAX_ARGUMENT = 1_000_000  # no filter or method needs a larger number (ljust(10**9) would allocate 1 GB)
MAX_EXPONENT_BITS = 4096  # 2**4096 is far beyond any count; 10**10**10 would not end
SECONDS_PER_VALUE = 2.0
SECONDS_PER_LOAD = 8.0  # for the first values; each value rendered adds SECONDS_EARNED
SECONDS_EARNED = 0.02  # a value takes about 1 ms: a large catalog of ordinary templates never runs out


class TemplateLimit(Exception):
    """A template went past a limit; the message says which."""


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def checked_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `*`, `**` and `+` whose result would be too large, before computing it."""
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            size = _size(sequence)
            if size is not None and isinstance(count, int) and size * count > MAX_VALUE:
                raise TemplateLimit(
                    f"this would make a value of {size * count:,} characters or items; the limit is {MAX_VALUE:,}"
                )
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_EXPONENT_BITS:
            raise TemplateLimit("this number would be too large")
    elif operator == "**":
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and right * max(abs(left).bit_length(), 1) > MAX_EXPONENT_BITS
        ):
            raise TemplateLimit("this number would be too large")
    elif operator == "+":
        sizes = _size(left), _size(right)
        if sizes[0] is not None and sizes[1] is not None and sizes[0] + sizes[1] > MAX_VALUE:
            raise TemplateLimit(
                f"this would make a value of {sizes[0] + sizes[1]:,} characters or items; the limit is {MAX_VALUE:,}"
            )


def _too_large(size: int) -> TemplateLimit:
    return TemplateLimit(f"this would make a value of {size:,} characters or items; the limit is {MAX_VALUE:,}")


def checked_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call with a huge number in it (widths, counts, repeats)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise TemplateLimit(f"the number {value:,} is larger than any template needs (the limit is {MAX_ARGUMENT:,})")


_WIDE = re.compile(r"\d{7,}")  # a width or precision of a million or more, in a format


def checked_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE.search(text) and ("%" in text or "{" in text):
        raise TemplateLimit("a format with a width or precision of a million or more")


def bounded_join(pieces: tuple[Any, ...]) -> str:
    """`a ~ b ~ c`, refused before it is made if it would be too long."""
    texts = [str(piece) for piece in pieces]
    size = sum(map(len, texts))
    if size > MAX_VALUE:
        raise _too_large(size)
    return "".join(texts)


def _replaced_size(text: Any, old: Any, new: Any, count: Any = None, *_: Any) -> int | None:
    """The length `text.replace(old, new, count)` would have, counted without making it."""
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return None
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def _joined_size(items: list[Any], separator: Any = "", *_: Any) -> int:
    """The length `separator.join(items)` would have (what join's filter makes of each item)."""
    size = sum(len(item) if isinstance(item, str) else len(str(item)) for item in items[: MAX_VALUE + 1])
    return size + len(str(separator)) * max(len(items) - 1, 0)


def _indented_size(text: Any, width: Any = 4, *_: Any) -> int | None:
    if not isinstance(text, str):
        return None
    prefix = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    return len(text) + prefix * (text.count("\n") + 1)


def _wrapped_size(text: Any, width: Any = 79, _break: Any = True, wrapstring: Any = None, *_: Any) -> int | None:
    if not isinstance(text, str):
        return None
    lines = len(text) // max(width, 1) + text.count("\n") + 1 if isinstance(width, int) else len(text) + 1
    return len(text) + len(wrapstring if isinstance(wrapstring, str) else "\n") * lines


def _refuse_if_large(size: int | None) -> None:
    if size is not None and size > MAX_VALUE:
        raise _too_large(size)


# The filters whose result can be far larger than their input, and how large it would be.
_SIZES: dict[str, Callable[..., int | None]] = {"replace": _replaced_size, "indent": _indented_size, "wordwrap": _wrapped_size}


def _checking(name: str, function: Any) -> Any:
    passes_context = hasattr(function, "jinja_pass_arg")  # then its first argument is Jinja's

    def checked(*args: Any, **kwargs: Any) -> Any:
        checked_arguments(args, kwargs)
        values = args[1:] if passes_context else args
        if name in _SIZES:
            _refuse_if_large(_SIZES[name](*values, *kwargs.values()))
        elif name == "join" and values:
            items = list(values[0])
            _refuse_if_large(_joined_size(items, *values[1:2], *kwargs.values()))
            args = (*args[: len(args) - len(values)], items, *values[1:])
        return function(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # how Jinja knows a filter wants the context
        if hasattr(function, attribute):
            setattr(checked, attribute, getattr(function, attribute))
    return checked


def checked_method(method: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """`'x'.replace(...)` and `'x'.join(...)` in a template: refused before they are made if too
    large. Returns the arguments to call with (join's items, read once)."""
    if not isinstance(getattr(method, "__self__", None), str):
        return args
    name = getattr(method, "__name__", "")
    if name == "replace":
        _refuse_if_large(_replaced_size(method.__self__, *args))
    elif name == "join" and len(args) == 1:
        items = list(args[0])
        _refuse_if_large(_joined_size(items, method.__self__))
        return (items,)
    return args


def bounded_environment(**options: Any) -> Any:
    """Jinja's immutable sandbox, with the size checks above on its operators, calls, filters
    and concatenations."""
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.nodes import Concat
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class BoundedCode(CodeGenerator):
        def visit_Concat(self, node: Concat, frame: Frame) -> None:
            self.write("environment.bounded_join((")
            for argument in node.nodes:
                self.visit(argument, frame)
                self.write(", ")
            self.write("))")

    class Bounded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "%"})
        code_generator_class = BoundedCode

        def __init__(self, **settings: Any) -> None:
            super().__init__(**settings)
            self.filters = {name: _checking(name, function) for name, function in self.filters.items()}
            self.bounded_join = bounded_join

        def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
            if operator == "%":
                checked_format(left)
            else:
                checked_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def call(self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            checked_arguments(args, kwargs)
            args = checked_method(__obj, args)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Any:
            if getattr(value, "__name__", "") in ("format", "format_map"):  # 'x'.format(...)
                checked_format(getattr(value, "__self__", None))
            return super().wrap_str_format(value)

    return Bounded(**options)


def joined(pieces: Iterator[str]) -> str:
    """A template's output, refused as soon as it grows past the limit (not once it is all made)."""
    out, size = [], 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_VALUE:
            raise TemplateLimit(f"the value is longer than {MAX_VALUE:,} characters")
        out.append(piece)
    return "".join(out)


class TimeBudget:
    """How long the templates of one catalog may run: each value, and all of them together."""

    def __init__(self, each: float = SECONDS_PER_VALUE, total: float = SECONDS_PER_LOAD) -> None:
        self.each, self.left = each, total

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        if self.left <= 0:
            raise TemplateLimit(
                f"the templates have used all their time ({SECONDS_PER_LOAD:g} s, and {SECONDS_EARNED * 1000:g} ms "
                "more for each value rendered)"
            )
        self.left += SECONDS_EARNED
        limit = min(self.each, self.left)
        timed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if timed:
            previous = signal.signal(signal.SIGALRM, _out_of_time)
            signal.setitimer(signal.ITIMER_REAL, limit)
        started = time.monotonic()
        try:
            yield
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            self.left -= time.monotonic() - started


def _out_of_time(signum: int, frame: Any) -> None:
    raise TemplateLimit(f"the template ran longer than {SECONDS_PER_VALUE:g} s")
