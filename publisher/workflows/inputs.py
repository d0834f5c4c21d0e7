"""What every workflow starts from: variables, the state's location, the API client, the time."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput, PublisherError
from ..loading import documents
from ..loading.project import Project
from ..rules import parse_time
from ..state.local import LocalStateStore
from ..state.store import StateStore

if TYPE_CHECKING:
    from ..applying.client import Client

STATE_FILE = "publisher.state.json"


def parse_vars(var_files: tuple[str, ...], pairs: tuple[str, ...]) -> dict[str, Any]:
    """--var-file FILE (YAML mappings) then --var KEY=VALUE: later wins."""
    merged: dict[str, Any] = {}
    for name in var_files:
        document, problems = documents.load(Path(name), name)
        if problems:
            raise InvalidInput.from_diagnostics(problems)
        if not isinstance(document.data, dict):
            raise InvalidInput(f"{name}: a var file must be a mapping of names to values")
        merged.update(document.data)
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--var {pair!r}: expected KEY=VALUE")
        merged[key] = val
    return merged


def state_file(root: Path, project: Project, state_option: Path | None) -> Path:
    """--state, else the project file's `state`, else publisher.state.json at the catalog root."""
    return state_option if state_option is not None else root / (project.state or STATE_FILE)


def state_store(root: Path, project: Project, state_option: Path | None) -> StateStore:
    """The store of a catalog's state (see `state_file`)."""
    return open_store(state_file(root, project, state_option))


def open_store(location: Path) -> StateStore:
    """The store at a location: today a local file."""
    return LocalStateStore(location)


def client(**options: Any) -> Client:
    """The API client from ONEALL_* variables. Imported here: requests is a fifth of
    publisher's start-up, and plan, validate and show never talk to the API."""
    from ..applying.client import Client

    return Client.from_environment(os.environ, **options)


ClientFactory = Callable[[], "Client"]


def now() -> dt.datetime:
    """The current time, or PUBLISHER_NOW (ISO 8601 with a zone) to preview the calendar."""
    text = os.environ.get("PUBLISHER_NOW")
    if not text:
        return dt.datetime.now(dt.timezone.utc)
    try:
        return parse_time(text)
    except ValueError as error:
        raise PublisherError(f"PUBLISHER_NOW={text!r} is not an ISO 8601 time with a zone: {error}") from None
