"""The optional project file `publisher.yaml` at the catalog root."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Diagnostic
from . import documents, policies, schema
from .documents import Document
from .files import PROJECT_FILE
from .policies import Policy


@dataclass
class Project:
    document: Document | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    state: str | None = None
    time_zone: str = "UTC"  # for people: the HTML plan and the calendar
    concurrency: int | None = None
    rate_limits: dict[str, float] = field(default_factory=dict)
    env: tuple[str, ...] = ()  # environment variables templates may use as content (names or globs)
    policies: list[Policy] = field(default_factory=list)

    @property
    def identities(self) -> dict[str, Any]:
        data = self.document.data if self.document is not None else None
        return dict(data.get("identities") or {}) if isinstance(data, dict) else {}


def load(root: Path, shown: str) -> tuple[Project, list[Diagnostic]]:
    """Read `publisher.yaml` if there is one; `shown` is its name in messages."""
    path = root / PROJECT_FILE
    if not path.is_file():
        return Project(), []
    document, problems = documents.load(path, shown)
    if problems:
        return Project(), problems
    data = document.data if document.data is not None else {}
    document.data = data
    problems = schema.check(document, (), data, "project.json")
    if problems:
        return Project(), problems
    rules: list[Policy] = []
    if data.get("policies") or "time_zone" in data:
        rules, problems = policies.parse(document, list(data.get("policies") or ()))
        zone = data.get("time_zone")
        if zone is not None and not policies.known_zone(zone):
            where = document.locate(("time_zone",))
            problems.append(Diagnostic(where, "time_zone", f"unknown time zone {zone!r}", "an IANA name: Europe/Madrid"))
    if problems:
        return Project(), problems
    return (
        Project(
            document=document,
            vars=dict(data.get("vars") or {}),
            state=data.get("state"),
            time_zone=data.get("time_zone", "UTC"),
            concurrency=data.get("concurrency"),
            rate_limits=dict(data.get("rate_limits") or {}),
            env=tuple(data.get("env") or ()),
            policies=rules,
        ),
        [],
    )
