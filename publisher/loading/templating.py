"""Sandboxed Jinja over the string values of a parsed manifest (like Ansible).

Rendering happens after YAML parsing, value by value, so line numbers stay exact and a
rendered value can never change the document's structure. A value that is one whole
expression (`"{{ vars.count }}"`) keeps its type; any other templated value is a string.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

from .. import rules
from ..errors import Diagnostic
from ..model import PathKey
from . import bounds, datafiles
from .documents import Document, dotted

_ONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|\{#).)*)\}\}\s*$", re.DOTALL)


class _TemplateFailure(Exception):
    """Raised by our template functions; its message is shown as is."""


@lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    """Made, and jinja2 imported, at the first template that is more than names and data()
    (a tenth of publisher's start-up, which many catalogs never need)."""
    import jinja2

    # Immutable: a template cannot change vars or the rows of a data file another one reads.
    # Bounded: no operator or call may build a value past the limits.
    return bounds.bounded_environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


@lru_cache(maxsize=4096)
def _compiled_template(source: str) -> jinja2.Template:
    return _environment().from_string(source)


@lru_cache(maxsize=4096)
def _compiled_expression(source: str) -> Callable[..., Any]:
    return _environment().compile_expression(source, undefined_to_none=False)


_NO_DEFAULT = object()
PLACEHOLDER_TOKEN = "00000000-0000-4000-8000-000000000000"  # what validate reads for an unset identity variable
API_KEYS = "ONEALL_"  # publisher's own keys: no template can ever read them


@dataclass
class Context:
    """What templates may see: `vars`, the environment only through `env()`, files only
    through `data()` inside the catalog root. It records what it handed out (the memo of a
    no-op plan is keyed by it).

    `env(NAME)` gives an identity token (an `identities` value, an entry's `identity`): those
    are always shown masked. Anywhere else, NAME must be listed as content-safe in
    `content_env` (publisher.yaml's `env:`, names or globs)."""

    vars: Mapping[str, Any] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)
    root: Path = field(default_factory=Path.cwd)
    content_env: tuple[str, ...] = ()
    used_env: dict[str, str | None] = field(default_factory=dict, repr=False)
    used_files: set[Path] = field(default_factory=set)
    budget: bounds.TimeBudget = field(default_factory=bounds.TimeBudget, repr=False)  # the templates' time
    secrets_needed: bool = True  # False for validate: an unset identity variable gives a placeholder
    _data: dict[Path, Any] = field(default_factory=dict, repr=False)

    def names(self, base: Path | None = None, *, identity: bool = False) -> dict[str, Any]:
        """The names for the templates of a manifest in folder `base`; `identity`: for a value
        that is an identity token."""
        folder = base or self.root
        return {"vars": self.vars, "env": _Env(self, identity), "data": _Data(self, folder)}

    def env(self, name: Any, default: Any = _NO_DEFAULT, *, identity: bool = False) -> Any:
        """The one way a template reads the environment. What it returns is either declared
        content (never a credential's name) or an identity token (masked wherever it is
        shown); no message names a value it read."""
        if not isinstance(name, str) or not rules.ENV_NAME.fullmatch(name):
            raise _TemplateFailure("env() takes the name of an environment variable (letters, digits and _)")
        if name.upper().startswith(API_KEYS):
            raise _TemplateFailure(f"env('{name}'): {API_KEYS}* variables hold publisher's API keys; no template can read them")
        if not identity:
            if rules.is_credential_name(name):
                raise _TemplateFailure(
                    f"env('{name}'): a credential variable is never content ({rules.credential_rule()}); "
                    "an identity token is read under identities:"
                )
            if not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.content_env):
                raise _TemplateFailure(
                    f"env('{name}') may only give an identity token (always shown masked); to use it in content, "
                    f"list it under env: in publisher.yaml"
                )
        value = self.environ.get(name)
        self.used_env[name] = value
        if value is None:
            if identity and not self.secrets_needed:
                return PLACEHOLDER_TOKEN  # validate checks a catalog without the CI's secrets
            if default is _NO_DEFAULT:
                raise _TemplateFailure(f"environment variable {name} is not set and env() has no default")
            return default
        if identity and not rules.is_token(value):
            raise _TemplateFailure(
                f"env('{name}') does not hold an identity token (a UUID); in an identity field env() gives only "
                "tokens, and what the variable holds is never shown"
            )
        return value

    def read(self, folder: Path, name: Any) -> Any:
        try:
            path = datafiles.resolve(self.root, folder, name)
            if path not in self._data:
                self._data[path] = datafiles.read(path, name)
        except datafiles.DataFileError as error:
            raise _TemplateFailure(str(error)) from None
        self.used_files.add(path)
        return self._data[path]


class _Env:
    """`env(NAME[, default])` for templates; as text it says nothing but its name."""

    def __init__(self, context: Context, identity: bool) -> None:
        self._context, self._identity = context, identity

    def __call__(self, name: Any, default: Any = _NO_DEFAULT) -> Any:
        return self._context.env(name, default, identity=self._identity)

    def __repr__(self) -> str:
        return "env()"

    __str__ = __repr__


class _Data:
    """`data(PATH)` for templates; as text it says nothing but its name."""

    def __init__(self, context: Context, folder: Path) -> None:
        self._context, self._folder = context, folder

    def __call__(self, name: Any) -> Any:
        return self._context.read(self._folder, name)

    def __repr__(self) -> str:
        return "data()"

    __str__ = __repr__


def for_identity(names: Mapping[str, Any]) -> Mapping[str, Any]:
    """The same names, for a value that is an identity token."""
    env = names.get("env")
    # Made here, not by a method of _Env: a template can call any public method it sees.
    return {**names, "env": _Env(env._context, True)} if isinstance(env, _Env) else names


def _plain(value: Any) -> Any:
    """Make a template result plain data (what YAML could have written)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    jinja2 = sys.modules.get("jinja2")  # only Jinja makes an Undefined: none before it is imported
    if jinja2 is not None and isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


_NAME_PATH = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)\s*\}\}")
_SCALARS = (str, int, float, bool)
# `{{ data('products.csv') }}`, the usual for_each, is a call as plain as a name.
_DATA_CALL = re.compile(r"""\s*\{\{\s*data\(\s*(['"])([^'"\\{}]*)\1\s*\)\s*\}\}\s*""")
_MISS = object()


def _lookup(names: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    """`each.sku` as Jinja would look it up, for plain data only; `_MISS` when unsure."""
    value = names.get(parts[0], _MISS)
    for part in parts[1:]:
        if not isinstance(value, dict):
            return _MISS
        value = value.get(part, _MISS)
    return value


_Parsed = tuple[str, tuple[tuple[tuple[str, ...], str], ...], bool]


@lru_cache(maxsize=8192)
def _name_template(source: str) -> _Parsed | None:
    """`"{{ each.name }}: {{ each.price }} EUR"` → `(head, ((name path, text after it), ...),
    whether it is one whole name)`, parsed once per distinct string; None when it is more than
    names, or when Jinja would look a name up differently (Jinja renders those)."""
    if "{%" in source or "{#" in source:
        return None
    pieces = _NAME_PATH.split(source)
    texts = pieces[::2]
    between = "\0".join(texts)  # a separator no brace pair can span
    if "{{" in between or "}}" in between:
        return None
    paths = []
    for path in pieces[1::2]:
        parts = tuple(path.split("."))
        for part in parts[1:]:
            if part in _DICT_ATTRIBUTES:  # Jinja tries attributes before items: `vars.items` is dict.items. Leave those to it.
                return None
        paths.append(parts)
    whole = len(paths) == 1 and not texts[0].strip() and not texts[1].strip()
    return texts[0], tuple(zip(paths, texts[1:], strict=True)), whole


_DICT_ATTRIBUTES = frozenset(name for name in {*dir(dict), *dir(type)} if hasattr(dict, name))  # what hasattr(dict, ...) finds


def _names_filled_in(source: str, names: Mapping[str, Any]) -> Any:
    """Most templates only insert names (`{{ each.sku }}`, `{{ vars.url }}`): fill them in
    without Jinja; anything else, or any doubt, returns `_MISS` and Jinja renders it.

    This, and `data('FILE')` calls in render_string, are the one place publisher does Jinja's
    work itself: Jinja compiles each distinct string (about 1 ms each), and a catalog's
    strings are mostly distinct (every tweet, every for_each's data file). Without it a cold
    plan of 10,000 resources takes 4.5 times as long."""
    parsed = _name_template(source)
    if parsed is None:
        return _MISS
    out, pieces, whole = parsed
    if whole:
        value = _lookup(names, pieces[0][0])  # one whole expression keeps its type
        return _plain(value) if value is not _MISS and not callable(value) else _MISS
    for path, text in pieces:
        value = _lookup(names, path)
        if value is _MISS or not isinstance(value, _SCALARS):
            return _MISS
        out += str(value) + text
    return out


def render_string(source: str, names: Mapping[str, Any], budget: bounds.TimeBudget | None = None) -> Any:
    """Render one value; raises `ValueError` with a user-facing message on failure. Jinja runs
    within `budget` (a fresh one when None)."""
    filled = _names_filled_in(source, names)
    if filled is not _MISS:
        return filled
    try:
        call = _DATA_CALL.fullmatch(source)
        if call and callable(names.get("data")):
            return _plain(names["data"](call.group(2)))
        with (budget or bounds.TimeBudget()).running():
            whole = _ONE_EXPRESSION.match(source)
            if whole:
                return _plain(_compiled_expression(whole.group("expr"))(**names))
            return bounds.joined(_compiled_template(source).generate(**names))
    except (_TemplateFailure, bounds.TemplateLimit) as error:
        raise ValueError(f"template error: {error}") from None
    except Exception as error:  # Jinja's errors, or a filter or operator failing on the user's values
        raise _template_error(error) from None


def _template_error(error: Exception) -> ValueError:
    jinja2 = sys.modules.get("jinja2")  # not imported: not one of its errors
    if jinja2 is not None:
        if isinstance(error, jinja2.TemplateSyntaxError):
            return ValueError(f"template syntax error: {error.message}")
        if isinstance(error, jinja2.UndefinedError):
            return ValueError(f"template error: {error.message}")
        if isinstance(error, jinja2.exceptions.SecurityError):
            return ValueError(f"template error: not allowed: {error}")
    return ValueError(f"template error: {type(error).__name__}: {error}")


def is_template(value: Any) -> bool:
    return isinstance(value, str) and "{" in value and ("{{" in value or "{%" in value or "{#" in value)


def render(
    document: Document,
    value: Any,
    where: PathKey,
    names: Mapping[str, Any],
    *,
    shown: PathKey | None = None,
    label: str = "",
    identity_key: str | None = None,
    budget: bounds.TimeBudget | None = None,
) -> tuple[Any, list[Diagnostic]]:
    """Render every templated string inside `value`, found at `where` in `document`.

    `shown` is how `where` is named in messages (a generated entry's rendered address), and
    `label` says which generated item a problem belongs to. The top-level field `identity_key`
    of a mapping is an identity token: `env()` may give it any variable.
    """
    walker = _Walker(document, where, names, tuple(shown if shown is not None else where), f"{label}: " if label else "", budget)
    if identity_key is not None and isinstance(value, dict) and is_template(value.get(identity_key)):
        rest = walker.walk({k: v for k, v in value.items() if k != identity_key}, ())
        walker.names = for_identity(names)
        token = walker.walk({identity_key: value[identity_key]}, ())
        return {**rest, **token}, walker.problems
    return walker.walk(value, ()), walker.problems


class _Walker:
    """One render's walk: where it is, for messages, and the problems found."""

    def __init__(
        self, document: Document, where: PathKey, names: Mapping[str, Any], shown_at: PathKey, prefix: str,
        budget: bounds.TimeBudget | None,
    ) -> None:  # fmt: skip
        self.document, self.where, self.names, self.shown_at, self.prefix = document, where, names, shown_at, prefix
        self.budget = budget
        self.problems: list[Diagnostic] = []

    def one(self, item: str, relative: PathKey, key: Any) -> Any:
        """Render one string at `relative` + `key` (the path is made only for a message)."""
        try:
            return render_string(item, self.names, self.budget)
        except ValueError as error:
            at = (*relative, key) if key is not _HERE else relative
            location = self.document.locate((*self.where, *at))
            self.problems.append(Diagnostic(location, dotted((*self.shown_at, *at)), self.prefix + str(error)))
            return None

    def walk(self, item: Any, relative: PathKey) -> Any:
        if isinstance(item, dict):
            out = {}
            for key, value in item.items():
                if isinstance(value, (dict, list)):
                    value = self.walk(value, (*relative, key))
                elif is_template(value):
                    value = self.one(value, relative, key)
                out[key] = value
            return out
        if isinstance(item, list):
            return [
                self.walk(v, (*relative, i)) if isinstance(v, (dict, list)) else self.one(v, relative, i) if is_template(v) else v
                for i, v in enumerate(item)
            ]
        return self.one(item, relative, _HERE) if is_template(item) else item


_HERE = object()  # `one` renders the value at `relative` itself
