"""Sandboxed Jinja over the string values of a parsed manifest (like Ansible).

Rendering happens after YAML parsing, value by value, so line numbers stay exact and a
rendered value can never change the document's structure. A value that is one whole
expression (`"{{ vars.count }}"`) keeps its type; any other templated value is a string.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import Diagnostic
from .manifest import Document, Path_, dotted

_ONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|\{#).)*)\}\}\s*$", re.DOTALL)
_MARKERS = ("{{", "{%", "{#")


class _TemplateFailure(Exception):
    """Raised by our template functions; its message is shown as is."""


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )


_ENV = _environment()


@lru_cache(maxsize=4096)
def _compiled_template(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


@lru_cache(maxsize=4096)
def _compiled_expression(source: str) -> Callable[..., Any]:
    return _ENV.compile_expression(source, undefined_to_none=False)


@dataclass
class Context:
    """What templates may see: `vars`, and the environment only through `env()`."""

    vars: Mapping[str, Any] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def names(self) -> dict[str, Any]:
        return {"vars": self.vars, "env": self._env}

    def _env(self, name: str, default: Any = None) -> Any:
        if name in self.environ:
            return self.environ[name]
        if default is None:
            raise _TemplateFailure(f"environment variable {name} is not set and env() has no default")
        return default


def _plain(value: Any) -> Any:
    """Make a template result plain data (what YAML could have written)."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def render_string(source: str, names: Mapping[str, Any]) -> Any:
    """Render one value; raises `ValueError` with a user-facing message on failure."""
    try:
        whole = _ONE_EXPRESSION.match(source)
        if whole:
            return _plain(_compiled_expression(whole.group("expr"))(**names))
        return _compiled_template(source).render(**names)
    except jinja2.TemplateSyntaxError as error:
        raise ValueError(f"template syntax error: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise ValueError(f"template error: {error.message}") from None
    except jinja2.exceptions.SecurityError as error:
        raise ValueError(f"template error: not allowed: {error}") from None
    except _TemplateFailure as error:
        raise ValueError(f"template error: {error}") from None
    except Exception as error:  # a filter or operator failing on the user's values
        raise ValueError(f"template error: {type(error).__name__}: {error}") from None


def is_template(value: Any) -> bool:
    return isinstance(value, str) and any(marker in value for marker in _MARKERS)


def render(
    document: Document, value: Any, path: Path_, context: Context
) -> tuple[Any, list[Diagnostic]]:
    """Render every templated string inside `value` (found at `path` in `document`)."""
    problems: list[Diagnostic] = []
    names = context.names()

    def walk(item: Any, where: Path_) -> Any:
        if isinstance(item, dict):
            return {k: walk(v, (*where, k)) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v, (*where, i)) for i, v in enumerate(item)]
        if is_template(item):
            try:
                return render_string(item, names)
            except ValueError as error:
                problems.append(Diagnostic(document.locate(where), dotted(where), str(error)))
                return None
        return item

    return walk(value, path), problems
