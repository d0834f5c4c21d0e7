"""What every workflow starts from: variables, the state's location, the API client, the time."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import Diagnostic, InvalidInput, Location, PublisherError
from ..loading import documents
from ..loading.files import display_name, find_root
from ..loading.project import Project, load_project
from ..rules import is_loopback, parse_time, timestamp
from ..state.locations import open_store
from ..state.lock import local_user
from ..state.store import StateStore

if TYPE_CHECKING:
    from ..api.client import Client

STATE_FILE = "publisher.state.json"


def parse_vars(var_files: tuple[Path, ...], pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """--var-file FILE (YAML mappings) then --var KEY=VALUE: later wins."""
    merged: dict[str, Any] = {}
    for path in var_files:
        document, problems = documents.load_document(path.resolve(), str(path))
        if problems:
            raise InvalidInput.from_diagnostics(problems)
        if not isinstance(document.data, dict):
            raise InvalidInput(f"{path}: a var file must be a mapping of names to values")
        merged.update(document.data)
    merged.update(pairs)
    return merged


def state_location(root: Path, project: Project, option: str | None) -> tuple[str, Path]:
    """Where the catalog's state is, and what a relative path is relative to: --state, then
    PUBLISHER_STATE, then the project file's `state` (relative to the catalog root), then
    publisher.state.json at the catalog root."""
    if option:
        return option, Path.cwd()
    if "PUBLISHER_STATE" in os.environ:
        if not os.environ["PUBLISHER_STATE"].strip():
            # An unset CI secret arrives as an empty string: falling back to a file in the
            # runner would post everything again at every run.
            raise InvalidInput(
                "PUBLISHER_STATE is set but empty (a CI secret that is not defined?): set it to the state's location, or unset it"
            )
        return os.environ["PUBLISHER_STATE"], Path.cwd()
    if project.state:
        return project.state, root
    return STATE_FILE, root


def state_store(root: Path, project: Project, option: str | None) -> StateStore:
    """The store of a catalog's state (see `state_location`)."""
    location, base = state_location(root, project, option)
    return open_store(location, base=base)


def leftover_state(root: Path, store: StateStore) -> Diagnostic | None:
    """A warning for a local state file left beside a catalog whose state is shared
    (PostgreSQL, S3): it is not read, and objects it alone records would be posted again."""
    local = root / STATE_FILE
    if not store.backend.shared or not local.is_file():
        return None
    return Diagnostic(
        Location(display_name(local)),
        "",
        f"a local {STATE_FILE} is here, but this catalog's state is {store.name}: the file is not read",
        f"if it records objects the shared state lacks, move them first (publisher state migrate --state {local} "
        "LOCATION, or publisher import); else delete it",
        severity="warning",
    )


def under_ci() -> bool:
    """Whether this runs in CI, where a file written in the runner is thrown away with it."""
    return bool(os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS") or os.environ.get("GITLAB_CI"))


def refuse_throwaway_state(store: StateStore, root: Path, project: Project, option: str | None) -> None:
    """Under CI, apply starts no local state file that nobody named (--state, PUBLISHER_STATE
    or publisher.yaml's state): the default file, left in the runner, is lost, and the next
    run would post everything again."""
    named = state_location(root, project, option)[0] != STATE_FILE or option
    if named or not under_ci() or store.exists() or store.unfinished():
        return
    raise PublisherError(
        f"no state at {store.name}, and this runs in CI: a new state file in the runner would be thrown away, and "
        "every run would post everything again. Set the PUBLISHER_STATE secret (postgresql://... or s3://...) for "
        "this job, or pass --state FILE to start a local state on purpose"
    )


def state_store_here(option: str | None) -> StateStore:
    """For the `state` commands and `unlock`, which are given no catalog: the state of the
    catalog around the working directory (the nearest folder upward with a publisher.yaml,
    else the working directory itself), found as the other commands find it."""
    return store_and_project_here(option)[0]


def store_and_project_here(option: str | None) -> tuple[StateStore, Project]:
    """The state (see `state_store_here`) and the project file of its catalog; --state may
    also name a catalog's folder, for the state that catalog's plan would use."""
    if option and Path(option).is_dir():
        root, project = project_here(Path(option))
        return state_store(root, project, None), project
    root, project = project_here()
    return state_store(root, project, option), project


def project_here(start: Path | None = None) -> tuple[Path, Project]:
    """The catalog around `start` (default: the working directory): its root and publisher.yaml."""
    start = start or Path.cwd()
    root = find_root(start) or start
    project, problems = load_project(root)
    if problems:
        raise InvalidInput.from_diagnostics(problems)
    return root, project


_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}(\[bot\])?")


def actor() -> str:
    """Who runs this, as reviews record it: the CI's actor (GITHUB_ACTOR, GITLAB_USER_LOGIN),
    else user@host. A login name is no secret; anything that does not look like one is not
    written down."""
    for name in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        login = os.environ.get(name, "")
        if _LOGIN.fullmatch(login):
            return login
    return f"{local_user()}@{socket.gethostname()}"


def client(**options: Any) -> Client:
    """The API client from ONEALL_* variables. Imported here: requests is a fifth of
    publisher's start-up, and plan, validate and show never talk to the API."""
    from ..api.client import Client

    return Client.from_environment(os.environ, **options)


ClientFactory = Callable[[], "Client"]


def now() -> dt.datetime:
    """The current time, or PUBLISHER_NOW (ISO 8601 with a zone) to preview the calendar."""
    text = os.environ.get("PUBLISHER_NOW")
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        return parse_time(text)
    except ValueError as error:
        raise PublisherError(f"PUBLISHER_NOW is not an ISO 8601 time with a zone: {error}") from None


def apply_now(api_url: str, say: Callable[[str], None]) -> dt.datetime:
    """The time an apply publishes by. PUBLISHER_NOW is for previews: against a real API it
    would publish embargoed items early, so apply honours it only against one on this
    machine (the sandbox), and says so."""
    if not os.environ.get("PUBLISHER_NOW"):
        return now()
    host = urlsplit(api_url).hostname or ""
    if not is_loopback(host):
        raise PublisherError(
            "PUBLISHER_NOW is set: it previews plans and calendars, and apply honours it only against the sandbox "
            "on this machine, never a real API (it would publish scheduled items early). Unset it to apply"
        )
    moment = now()
    say(f"PUBLISHER_NOW: applying as of {timestamp(moment)} against the API on this machine")
    return moment
