"""What a state backend does: a handful of primitives, each small enough to check by eye.

Like the clients of Terraform's remote state, a backend stores bytes and knows nothing of the
state's format: `StateStore` (store.py) owns the format, the compare-and-swap on the serial,
the journal and recovery, once for every backend.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

from ..model import State
from .lock import Notify


class Stale(Exception):
    """The stored state is no longer the version the write was made against."""


class Backend(Protocol):
    name: str  # how messages name the state's location (never with a password)
    shared: bool  # written from other machines too: nothing here can tell it changed

    def get(self) -> tuple[bytes | None, Any]:
        """The state document and its version (opaque to the caller); (None, None) if none."""
        ...

    def put(self, content: bytes, written: State, version: Any) -> None:
        """Store `content` (the document of `written`) only if the stored version is still
        `version` (None: only if there is none); raise Stale otherwise."""
        ...

    def append(self, number: int, event: str) -> None:
        """Durably add event `number` of an apply's journal (0 is its header)."""
        ...

    def events(self) -> list[str]:
        """The journal's events in order; [] when there is none."""
        ...

    def drop_events(self) -> None:
        """Remove the journal (the state holds what it held)."""
        ...

    def lock(self, command: str, *, timeout: float, notify: Notify) -> contextlib.AbstractContextManager[str]:
        """Hold the state's lock while `command` may write; wait up to `timeout` seconds,
        calling `notify` once with who holds it. Yields the lock's id."""
        ...

    def unlock(self, lock_id: str, *, force: bool) -> None:
        """Remove the lock `lock_id` of a run that is gone; a live run's only with `force`."""
        ...

    def fence(self) -> None:
        """Raise StateError if this backend took the lock and no longer holds it."""
        ...

    # Documents kept beside the state (review proposals, approvals, the break-glass log):
    # written whole, without the lock, each one at its own name, so writers never merge.

    def get_document(self, kind: str, name: str) -> bytes | None:
        """The document `name` of `kind`; None if there is none."""
        ...

    def put_document(self, kind: str, name: str, content: bytes) -> None:
        """Store the document `name` of `kind`, atomically, replacing any."""
        ...

    def document_names(self, kind: str) -> list[str]:
        """The names of the documents of `kind`, sorted."""
        ...

    def delete_document(self, kind: str, name: str) -> None:
        """Remove the document `name` of `kind`, if it is there."""
        ...
