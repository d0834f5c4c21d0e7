"""Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): exactly what was reviewed runs.

A saved plan holds the bodies to send, the state's lineage and serial, and a digest of the
catalog's files. It holds no token: identities are kept as digests and resolved again from
the manifests at apply time, when the digests must match.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_atomically
from ..digests import files_digest
from ..errors import PublisherError
from ..loading.catalog import Catalog
from ..loading.files import PROJECT_FILE
from ..model import Action, Change, Plan, State, token_digest
from ..resource_types import TYPES
from ..rules import is_address, timestamp
from .budgets import NO_ALLOWANCES, Allowances
from .plan_document import decode, encode, plan_to_json
from .planner import make_plan
from .refresh import Remote

KIND = "publisher-saved-plan"


class StalePlan(PublisherError):
    """The saved plan no longer matches the state or the manifests."""


def catalog_digest(catalog: Catalog) -> str:
    """A digest of every file the catalog was made from: manifests, project file, data files."""
    files = set(catalog.sources)
    project = catalog.root / PROJECT_FILE
    if project.is_file():
        files.add(project)
    if catalog.context is not None:
        files |= catalog.context.used_files
    return files_digest(catalog.root, files)


@dataclass
class SavedPlan:
    plan: Plan
    state_existed: bool
    paths: list[str]
    now: dt.datetime  # the instant it was planned for (the calendar's answer depends on it)
    refresh: bool  # planned with --refresh
    document: dict[str, Any]  # the file as it was read
    allowed: Allowances = NO_ALLOWANCES  # the --allow-* it was made with, which apply keeps


def document(
    plan: Plan, catalog: Catalog, *, paths: list[str], state_existed: bool, now: dt.datetime, refresh: bool,
    allowed: Allowances = NO_ALLOWANCES,
) -> dict[str, Any]:  # fmt: skip
    """The saved plan's content (but its creation time): exactly what apply re-derives."""
    resources = {}
    for change in plan.changes:
        if change.resource is not None and change.action not in (Action.NOOP, Action.BLOCKED):
            r = change.resource
            resources[change.address] = {
                "type": r.type.name,
                "identity": token_digest(r.identity),
                "body": encode(r.body),
                "ids": encode(r.ids),
                "dependencies": list(r.dependencies),
            }
    made = {
        "kind": KIND,
        "binding": {
            "lineage": plan.state_lineage,
            "serial": plan.state_serial,
            "state_existed": state_existed,
            "catalog_digest": catalog_digest(catalog),
            "paths": paths,
            "now": now.isoformat(),
            "refresh": refresh,
            "allowances": allowed._asdict(),
        },
        "plan": plan_to_json(plan),
        "resources": resources,
    }
    return json.loads(json.dumps(made))  # as it reads back from the file


def save(plan: Plan, catalog: Catalog, target: Path, *, paths: list[str], state_existed: bool, now: dt.datetime,
         refresh: bool, allowed: Allowances = NO_ALLOWANCES) -> None:  # fmt: skip
    saved = {
        **document(plan, catalog, paths=paths, state_existed=state_existed, now=now, refresh=refresh, allowed=allowed),
        "created_at": timestamp(),
    }
    write_atomically(target, json.dumps(saved, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def is_plan_file(path: Path) -> bool:
    if not path.is_file() or path.suffix in (".yaml", ".yml"):
        return False
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{")


def load_plan(path: Path) -> SavedPlan:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(content, dict) or content.get("kind") != KIND:
            raise ValueError("not a publisher plan")
        binding, public = content["binding"], content["plan"]
        changes = [
            Change(
                address=c["address"],
                type=c["type"],
                action=Action(c["action"]),
                identity=c.get("identity") or "",  # masked: apply re-derives the plan from the manifests
                reason=c["reason"],
                before=decode(c["before"]),
                after=decode(c["after"]),
                changed=list(c["changed"]),
                forces=list(c["forces"]),
                keep_old=bool(c["keep_old"]),
            )
            for c in public["changes"]
        ]
        for change in changes:  # what a crafted file could slip into a page or a message
            if change.type not in TYPES:
                raise ValueError(f"unknown resource type {change.type[:80]!r}")
            if not is_address(change.address):
                raise ValueError(f"{change.address[:80]!r} is not an address")
        plan = Plan(str(binding["lineage"]), int(binding["serial"]), changes, tuple(public.get("targets", ())))
        now = dt.datetime.fromisoformat(binding["now"])
        allowed = Allowances(**binding.get("allowances", {}))
        return SavedPlan(
            plan, bool(binding["state_existed"]), list(binding["paths"]), now, bool(binding["refresh"]), content, allowed
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise PublisherError(f"{path}: not a readable publisher plan ({error})") from None


def check_fresh(saved: SavedPlan, state: State, state_exists: bool) -> None:
    """Refuse a plan made against another state than the one there is now."""
    plan = saved.plan
    if state_exists and state.lineage != plan.state_lineage:
        raise StalePlan(
            f"the plan was made for another state (lineage {plan.state_lineage}, the state is {state.lineage}); make a new plan"
        )
    if not state_exists and saved.state_existed:
        raise StalePlan("the plan was made against a state file that no longer exists; make a new plan")
    if state.serial != plan.state_serial:
        raise StalePlan(
            f"the state changed since the plan was made (serial {plan.state_serial} then, {state.serial} now): "
            "it was applied already, or another apply ran; make a new plan"
        )


def replay(saved: SavedPlan, catalog: Catalog, state: State, remote: Remote | None) -> Plan:
    """The saved plan, ready to apply: derived again from the catalog and the state it is bound
    to, at the instant it was made, and refused unless that gives exactly the file. What runs
    is the plan derived here, so an edited file can change nothing."""
    if catalog_digest(catalog) != saved.document["binding"]["catalog_digest"]:
        raise StalePlan("the manifests (or their data files) changed since the plan was made; make a new plan")
    plan = make_plan(catalog, state, targets=saved.plan.targets, now=saved.now, remote=remote)
    again = document(
        plan, catalog, paths=saved.paths, state_existed=saved.state_existed, now=saved.now, refresh=saved.refresh,
        allowed=saved.allowed,
    )  # fmt: skip
    if again != {k: v for k, v in saved.document.items() if k != "created_at"}:
        why = (
            "the network changed since (it was made with --refresh)" if saved.refresh else "the file was edited after it was made"
        )
        raise StalePlan(f"the saved plan is not what its catalog and state give: {why}; make a new plan")
    return plan
