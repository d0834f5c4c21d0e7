"""Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): exactly what was reviewed runs.

A saved plan holds the bodies to send, the state's lineage and serial, and a digest of the
catalog's files. It holds no token: identities are kept as digests and resolved again from
the manifests at apply time, when the digests must match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import digest, files_digest
from ..errors import PublisherError
from ..loading.catalog import Catalog
from ..loading.files import PROJECT_FILE
from ..model import Action, Change, Plan, Resource, State
from ..output.json import decode, encode, plan_to_json
from ..resource_types import TYPES
from ..rules import timestamp
from ..state.files import write_atomically
from .planner import apply_moves

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
    catalog_digest: str
    paths: list[str]
    resources: dict[str, dict[str, Any]]  # address → body, ids, dependencies, identity digest


def save(plan: Plan, catalog: Catalog, target: Path, *, paths: list[str], state_existed: bool) -> None:
    resources = {}
    for change in plan.changes:
        if change.resource is not None and change.action not in (Action.NOOP, Action.BLOCKED):
            r = change.resource
            resources[change.address] = {
                "type": r.type.name,
                "identity": digest(r.identity),
                "body": encode(r.body),
                "ids": encode(r.ids),
                "dependencies": sorted(r.dependencies),
            }
    document = {
        "kind": KIND,
        "created_at": timestamp(),
        "binding": {
            "lineage": plan.state_lineage,
            "serial": plan.state_serial,
            "state_existed": state_existed,
            "catalog_digest": catalog_digest(catalog),
            "paths": paths,
        },
        "plan": plan_to_json(plan),
        "resources": resources,
    }
    write_atomically(target, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def is_plan_file(path: Path) -> bool:
    if not path.is_file() or path.suffix in (".yaml", ".yml"):
        return False
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{")


def load(path: Path) -> SavedPlan:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("kind") != KIND:
            raise ValueError("not a publisher plan")
        binding, public = document["binding"], document["plan"]
        changes = [
            Change(
                address=c["address"],
                type=c["type"],
                action=Action(c["action"]),
                identity=c.get("identity") or "",  # masked: `bind` resolves it from the manifests
                reason=c["reason"],
                before=decode(c["before"]),
                after=decode(c["after"]),
                changed=list(c["changed"]),
                forces=list(c["forces"]),
                keep_old=bool(c["keep_old"]),
            )
            for c in public["changes"]
        ]
        plan = Plan(binding["lineage"], int(binding["serial"]), changes, tuple(public.get("targets", ())))
        return SavedPlan(
            plan, bool(binding["state_existed"]), binding["catalog_digest"], list(binding["paths"]), document["resources"]
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
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


def bind(saved: SavedPlan, catalog: Catalog, state: State) -> Plan:
    """The saved plan, ready to apply: identities resolved from the manifests and checked."""
    if catalog_digest(catalog) != saved.catalog_digest:
        raise StalePlan("the manifests (or their data files) changed since the plan was made; make a new plan")
    plan = saved.plan
    # The plan was made after the manifests' renames; the state must say them too.
    plan.moved = apply_moves(catalog, state)
    for change in plan.changes:
        saved_resource = saved.resources.get(change.address)
        if saved_resource is None:
            record = state.resources.get(change.address)
            change.identity = record.identity if record is not None else ""
            continue
        current = catalog.resources.get(change.address)
        if current is None or digest(current.identity) != saved_resource["identity"]:
            raise StalePlan(f"{change.address}: its identity is not the one the plan was made with; make a new plan")
        change.identity = current.identity
        change.resource = Resource(
            change.address,
            TYPES[saved_resource["type"]],
            current.identity,
            decode(saved_resource["body"]),
            decode(saved_resource["ids"]),
            {},
            current.where,
        )
    return plan
