"""Where a state lives: a local path, `postgresql://...` or `s3://...`, and its store."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import DISTRIBUTION
from ..errors import InvalidInput
from .local import LocalBackend
from .store import StateStore

_DRIVERS = {"postgres": ("psycopg", "PostgreSQL"), "s3": ("boto3", "S3")}


def is_remote(location: str) -> bool:
    return "://" in location


def open_store(location: str, *, base: Path = Path(".")) -> StateStore:
    """The store at `location`; a relative path is relative to `base`."""
    if not is_remote(location):
        path = Path(location)
        return StateStore(LocalBackend(path if path.is_absolute() else base / path))
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("postgresql", "postgres"):
        _require("postgres")
        from .postgres import PostgresBackend

        return StateStore(PostgresBackend.from_url(location))
    if scheme == "s3":
        _require("s3")
        from .s3 import S3Backend

        return StateStore(S3Backend.from_url(location))
    raise InvalidInput(
        f"unknown state location scheme {scheme!r} in {shown(location)}: "
        "use a file path, postgresql://HOST/DATABASE or s3://BUCKET/KEY"
    )


def _require(extra: str) -> None:
    module, engine = _DRIVERS[extra]
    if importlib.util.find_spec(module) is None:
        raise InvalidInput(
            f"a {engine} state needs the {module} package, which is not installed: pip install '{DISTRIBUTION}[{extra}]'"
        )


_SECRET_WORDS = ("pass", "secret", "token", "key", "credential")


def shown(location: str) -> str:
    """A location as every message shows it: never a password, wherever the URL holds one
    (`user:PASSWORD@`, `?password=`, `?endpoint=http://KEY:SECRET@host`)."""
    if not is_remote(location):
        return location
    scheme, _, rest = location.partition("://")
    rest, hash_mark, fragment = rest.partition("#")
    authority_and_path, question_mark, query = rest.partition("?")
    authority, slash, path = authority_and_path.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        authority = f"{user}:***@{host}" if colon else authority
    pairs = [pair.partition("=") for pair in query.split("&")] if query else []
    query = "&".join(key + equals + _shown_value(key, value) for key, equals, value in pairs)
    return f"{scheme}://{authority}{slash}{path}{question_mark}{query}{hash_mark}{'***' if fragment else ''}"


def _shown_value(key: str, value: str) -> str:
    decoded = unquote(value)
    if any(word in key.lower() for word in _SECRET_WORDS):
        return "***"
    if "@" in decoded:  # a URL inside the URL (an S3 endpoint) with credentials: none of them shown
        scheme, _, rest = decoded.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}" if rest else "***"
    return value
