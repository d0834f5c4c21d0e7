"""Entries → resources: fields routed into the API body or the create path, `{ref: ...}`
turned into references and checked, identities resolved, times parsed, and an order."""

from __future__ import annotations

import datetime as dt
import functools
import graphlib
import types
from collections.abc import Mapping
from typing import Any

from .. import rules
from ..errors import Diagnostic
from ..model import Ref, Resource, refs_in
from ..resource_types import COMMON_FIELDS, TYPES, Reference
from .entries import Entry


def _as_refs(value: Any, found: set[str], refs: dict[str, Ref]) -> Any:
    """Turn `{ref: ADDRESS}` mappings (already schema-checked) into `Ref` values, adding
    each ADDRESS to `found`. `refs` holds one `Ref` per address: a thousand pins on one
    board share it, and the cycle collector has one object to walk, not a thousand."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("ref"), str):
            address = value["ref"]
            found.add(address)
            return refs.setdefault(address, Ref(address))
        return {k: _as_refs(v, found, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_refs(v, found, refs) for v in value]
    return value


_NO_LIFECYCLE: Mapping[str, Any] = types.MappingProxyType({})  # read-only: one serves every resource without one


@functools.cache
def _route(type_name: str, key: str) -> tuple[Reference | None, bool, str] | None:
    """Where a manifest field of a type goes: (its reference, whether it is a create-path
    id, its name there); None for publisher's own fields. Decided once per type and field."""
    if key in COMMON_FIELDS:
        return None
    rtype = TYPES[type_name]
    reference = rtype.references.get(key)
    name = reference.into if reference is not None else key
    return (reference, True, name) if name in rtype.path_ids else (reference, False, rtype.body_key(name))


class ResourceBuilder:
    """Builds the resources of a catalog's entries; `problems` collects what is wrong."""

    def __init__(self, entries: Mapping[str, Entry], faulty: Mapping[str, Any], identities: Mapping[str, str]) -> None:
        self.entries = entries
        self.faulty = faulty  # addresses of entries with problems of their own
        self.identities = identities  # alias → token
        self.problems: list[Diagnostic] = []
        self._refs: dict[str, Ref] = {}

    def build_all(self) -> dict[str, Resource]:
        built = {}
        for address, entry in self.entries.items():
            resource = self.build(entry)
            if resource is not None:
                built[address] = resource
        return built

    def build(self, entry: Entry) -> Resource | None:
        rtype = TYPES[entry.type_name]
        fields = entry.fields
        body: dict[str, Any] = {}
        ids: dict[str, Any] = {}
        dependencies: set[str] = set()  # the addresses its references name
        for key, value in fields.items():
            route = _route(rtype.name, key)
            if route is None:
                continue  # publisher's own field, not the API's
            reference, is_path_id, name = route
            if isinstance(value, (dict, list)):
                value = _as_refs(value, dependencies, self._refs)
                if reference is not None:
                    self._check_refs(entry, key, value, reference.targets)
            if is_path_id:
                ids[name] = value
            else:
                body[name] = value
        publish_at = self._time(entry, "publish_at")
        expire_at = self._time(entry, "expire_at")
        if publish_at is not None and expire_at is not None and expire_at <= publish_at:
            self.problems.append(entry.problem(("expire_at",), "comes before publish_at: the item would never be shown"))
        if "expire_at" in fields and not rtype.can_delete:
            self.problems.append(entry.problem(("expire_at",), f"the API cannot delete a {rtype.title}, so it cannot expire"))
        token = self._token(entry)
        if token is None:
            return None
        return Resource(
            entry.address,
            rtype,
            token,
            body,
            ids,
            fields.get("lifecycle") or _NO_LIFECYCLE,
            entry.document,
            entry.where,
            publish_at,
            expire_at,
            tuple(sorted(dependencies)),
            entry.fields["identity"] if entry.fields["identity"] in self.identities else None,
            entry.source,
            labels=tuple(fields.get("labels") or ()),
        )

    def _token(self, entry: Entry) -> str | None:
        """The identity's token: a declared alias, or a token written out."""
        value = entry.fields["identity"]
        if value in self.identities:
            return self.identities[value]
        if rules.is_token(value):
            return str(value)
        known = ", ".join(sorted(self.identities)) or "none declared"
        self.problems.append(entry.problem(("identity",), f"unknown identity '{value}'", f"declared identities: {known}"))
        return None

    def _time(self, entry: Entry, key: str) -> dt.datetime | None:
        if key not in entry.fields:
            return None
        text = entry.fields[key]
        try:
            return rules.parse_time(text)
        except ValueError as error:
            self.problems.append(entry.problem((key,), f"{text!r} is not a time: {error}"))
            return None

    def _check_refs(self, entry: Entry, key: str, value: Any, targets: tuple[str, ...]) -> None:
        for ref in refs_in(value):
            target = self.entries.get(ref.address)
            if target is not None and target.type_name in targets:
                continue
            if target is None and ref.address in self.faulty:
                continue  # it exists but has errors of its own, reported where it is written
            if target is None:
                self.problems.append(entry.problem((key, "ref"), f"refers to {ref.address}, which is not in the catalog"))
            else:
                self.problems.append(
                    entry.problem(
                        (key, "ref"), f"refers to {ref.address}, a {target.type_name}", "allowed: " + ", ".join(targets)
                    )
                )


def dependency_order(resources: Mapping[str, Resource]) -> list[str]:
    """Addresses so that every resource comes after the ones it refers to.

    What refers to nothing in the catalog comes first, then what refers only to those (a pin
    to its board, a playlist item to its playlist): most catalogs end there. graphlib orders
    the rest: longer chains of references, and cycles.

    Raises `graphlib.CycleError` whose args[1] is the cycle, each address referring to the next."""
    first = sorted(a for a, r in resources.items() if not any(d in resources for d in r.dependencies))
    placed = set(first)
    second = sorted(
        a for a, r in resources.items() if a not in placed and all(d in placed or d not in resources for d in r.dependencies)
    )
    placed.update(second)
    unplaced = sorted(resources.keys() - placed)
    rest = {a: [d for d in resources[a].dependencies if d in resources and d not in placed] for a in unplaced}
    try:
        ordered = list(graphlib.TopologicalSorter(rest).static_order())
    except graphlib.CycleError as error:
        # graphlib lists the cycle from what is referred to; people read it the other way.
        raise graphlib.CycleError(error.args[0], list(reversed(error.args[1]))) from None
    return first + second + ordered
