"""The optional project file `publisher.yaml` at the catalog root."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Diagnostic
from ..rules import credential_rule, is_credential_name, parse_duration
from . import documents, policies, queues, schema
from .documents import Document
from .files import PROJECT_FILE, display_name
from .policies import Policy
from .queues import Queue


@dataclass(frozen=True)
class Review:
    """`review:` in publisher.yaml: whether apply carries out only approved, proposed changes."""

    required: bool = False
    expires_after: float = 30 * 86400.0  # seconds, from the proposal (or when a scheduled post is due)


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
    budgets: dict[str, Any] | None = None  # None: the default budget (planning/budgets.py)
    queues: list[Queue] = field(default_factory=list)
    review: Review = field(default_factory=Review)

    @property
    def identities(self) -> dict[str, Any]:
        data = self.document.data if self.document is not None else None
        return dict(data.get("identities") or {}) if isinstance(data, dict) else {}


def load_project(root: Path) -> tuple[Project, list[Diagnostic]]:
    """Read `publisher.yaml` at the catalog root `root`, if there is one."""
    path = root / PROJECT_FILE
    if not path.is_file():
        return Project(), []
    document, problems = documents.load_document(path.resolve(), display_name(path))
    if problems:
        return Project(), problems
    data = document.data if document.data is not None else {}
    document.data = data
    problems = schema.check(document, (), data, "project.json")
    if problems:
        return Project(), problems
    rules, problems = policies.parse(document, list(data.get("policies") or ()))
    for index, pattern in enumerate(data.get("env") or ()):
        if is_credential_name(pattern.replace("*", "").replace("?", "")):
            problems.append(
                Diagnostic(
                    document.locate(("env", index)),
                    f"env[{index}]",
                    f"{pattern!r} names credential variables, which are never content",
                    f"never {credential_rule()}",
                )
            )
    found, queue_problems = queues.parse(document, list(data.get("queues") or ()), data.get("time_zone", "UTC"))
    problems += queue_problems
    if "time_zone" in data:
        zone = policies.time_zone(document, ("time_zone",), data["time_zone"])
        problems += [zone] if isinstance(zone, Diagnostic) else []
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
            budgets=dict(data["budgets"]) if "budgets" in data else None,
            queues=found,
            review=_review(data.get("review") or {}),
        ),
        [],
    )


def _review(data: dict[str, Any]) -> Review:
    """The review block, once the schema has checked it."""
    after = parse_duration(data["expires_after"]) if "expires_after" in data else Review.expires_after
    return Review(required=bool(data.get("required", False)), expires_after=after)
