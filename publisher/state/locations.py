"""Where a state lives: a local path, `postgresql://...` or `s3://...`, and its store."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .. import DISTRIBUTION
from ..errors import InvalidInput
from .local import LocalStateStore
from .store import StateStore

_DRIVERS = {"postgres": ("psycopg", "PostgreSQL"), "s3": ("boto3", "S3")}


def is_remote(location: str) -> bool:
    return "://" in location


def open_store(location: str, *, base: Path = Path(".")) -> StateStore:
    """The store at `location`; a relative path is relative to `base`."""
    if not is_remote(location):
        path = Path(location)
        return LocalStateStore(path if path.is_absolute() else base / path)
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("postgresql", "postgres"):
        _require("postgres")
        from .postgres import PostgresStateStore

        return PostgresStateStore.from_url(location)
    if scheme == "s3":
        _require("s3")
        from .s3 import S3StateStore

        return S3StateStore.from_url(location)
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


def shown(location: str) -> str:
    """A location as messages show it: never its password."""
    if not is_remote(location):
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
