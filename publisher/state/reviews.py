"""Review documents kept beside the state: proposals, their approvals, the break-glass log.

Each is one JSON document at its own name (backend.py), written whole and never merged: a
proposal by `plan --propose ID` (the same ID replaces it), an approval by `review approve`,
which names the exact proposal it approves by digest (a proposal pushed again after it is not
approved), and one log entry per `apply --unreviewed`. None holds a token or a secret: changes
are named by address, action and digest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from ..digests import json_digest
from ..errors import InvalidInput, StateError
from ..rules import parse_time, timestamp
from . import document
from .backend import Backend

PROPOSALS, APPROVALS, BREAK_GLASS = "proposals", "approvals", "break-glass"
REVIEW_KINDS = (PROPOSALS, APPROVALS, BREAK_GLASS)
PROPOSAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FORMAT_VERSION = 1


def check_id(proposal_id: str) -> str:
    """A proposal's ID as given on the command line, or InvalidInput saying what is allowed."""
    if PROPOSAL_ID.fullmatch(proposal_id) is None:
        raise InvalidInput(
            f"proposal id {proposal_id!r}: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit "
            "(e.g. github-pr-123)"
        )
    return proposal_id


class ProposedChange(NamedTuple):
    address: str
    action: str  # what the plan does: create, update, replace, delete, forget
    digest: str
    due: str = ""  # a scheduled create: when it is due (UTC); its approval lasts from then


@dataclass
class Proposal:
    id: str
    proposed_at: str
    proposed_by: str
    commit: str | None
    changes: list[ProposedChange] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """What an approval names: this exact proposal, not a later one under the same ID."""
        return json_digest(self.to_json())

    def to_json(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: a first plan of 10,000 posts proposes 10,000 changes.
        changes = [c._asdict() if c.due else {"address": c.address, "action": c.action, "digest": c.digest} for c in self.changes]
        header = {"id": self.id, "proposed_at": self.proposed_at, "proposed_by": self.proposed_by, "commit": self.commit}
        return {"format_version": FORMAT_VERSION, **header, "changes": changes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        changes = [ProposedChange(**c) for c in data["changes"]]
        return cls(data["id"], data["proposed_at"], data["proposed_by"], data.get("commit"), changes)

    def ended(self, after: float, now: dt.datetime) -> bool:
        """Whether it can approve nothing any more: its window, and every scheduled change's
        (counted from when it is due), has passed."""
        return all(now >= self.expires(after, change) for change in [None, *self.changes])

    def expires(self, after: float, change: ProposedChange | None = None) -> dt.datetime:
        """When its approval ends: `after` seconds from the proposal, or for a scheduled
        create from when it is due."""
        start = change.due if change is not None and change.due else self.proposed_at
        return parse_time(start) + dt.timedelta(seconds=after)


@dataclass(frozen=True)
class Approval:
    id: str
    proposal: str  # the fingerprint of the proposal approved
    approved_by: str
    approved_at: str


@dataclass(frozen=True)
class BreakGlass:
    """One `apply --unreviewed REASON`: what it let through without a review."""

    reason: str
    by: str
    at: str
    commit: str | None
    changes: list[dict[str, str]]  # address, action, digest


class Reviews:
    """The review documents of one state."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name

    def _read(self, kind: str, name: str) -> dict[str, Any] | None:
        content = self.backend.get_document(kind, name)
        if content is None:
            return None
        where = f"{self.name}: {kind}/{name}"
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise StateError(f"{where}: not a publisher review document (not JSON)") from None
        document.check(data, where, part=kind)
        return data

    def _write(self, kind: str, name: str, data: dict[str, Any]) -> None:
        # Not indented: json writes indented text in Python, four times slower than on one line
        # (57 against 14 ms for a proposal of 10,000 changes). `review show` is how it is read.
        content = json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"
        self.backend.put_document(kind, name, content.encode())

    def propose(self, proposal: Proposal) -> None:
        """Store `proposal`, replacing any of its ID (and so its approval)."""
        self._write(PROPOSALS, proposal.id, proposal.to_json())

    def proposal(self, proposal_id: str) -> Proposal | None:
        data = self._read(PROPOSALS, check_id(proposal_id))
        return Proposal.from_json(data) if data is not None else None

    def proposals(self) -> list[Proposal]:
        return [p for name in self.backend.document_names(PROPOSALS) if (p := self.proposal(name)) is not None]

    def approve(self, proposal: Proposal, by: str, now: dt.datetime) -> Approval:
        approval = Approval(proposal.id, proposal.fingerprint, by, timestamp(now))
        self._write(APPROVALS, proposal.id, {"format_version": FORMAT_VERSION, **asdict(approval)})
        return approval

    def approval(self, proposal: Proposal) -> Approval | None:
        """The approval of exactly this proposal, if it has one."""
        data = self._read(APPROVALS, proposal.id)
        if data is None or data["proposal"] != proposal.fingerprint:
            return None
        return Approval(data["id"], data["proposal"], data["approved_by"], data["approved_at"])

    def forget(self, proposal: Proposal) -> None:
        """Remove a proposal and its approval (the approval first: never one without the other
        that could approve a proposal written again under the same ID)."""
        self.backend.delete_document(APPROVALS, proposal.id)
        self.backend.delete_document(PROPOSALS, proposal.id)

    def log_break_glass(self, entry: BreakGlass, now: dt.datetime) -> None:
        name = f"{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"  # sorted by time, never the same
        self._write(BREAK_GLASS, name, {"format_version": FORMAT_VERSION, **asdict(entry)})

    def break_glass(self) -> list[BreakGlass]:
        entries = []
        for name in self.backend.document_names(BREAK_GLASS):
            data = self._read(BREAK_GLASS, name)
            if data is not None:
                entries.append(BreakGlass(data["reason"], data["by"], data["at"], data.get("commit"), data["changes"]))
        return entries
