"""Adopting objects that exist on the network: `import`, `import --generate`, `state resolve`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import yaml

from . import schema
from .catalog import Catalog
from .errors import PublisherError, StateError
from .planner import resolve
from .refresh import refresh
from .resources import SECTIONS, TYPES
from .state import State, digest, new_record

if TYPE_CHECKING:  # requests is imported only by commands that talk to the API
    from .client import Client


def adopt(catalog: Catalog, state: State, address: str, remote_id: str, client: Callable[[], Client]) -> str:
    """Record `address` (declared in the manifests) as the existing object `remote_id`.

    Where the Pull API can list the type, the object is looked up first and the state records
    what the network says, so the next plan shows any difference. Returns how it was checked.
    """
    resource = catalog.resources.get(address)
    if resource is None:
        raise PublisherError(f"{address} is not in the manifests: declare its entry first, then import it")
    if address in state.resources:
        raise StateError(f"{address} is already in the state (id {state.resources[address].get('id')}); nothing imported")
    ids_of = {a: r["id"] for a, r in state.resources.items() if r.get("status") == "created" and r.get("id")}
    missing = sorted(d for d in resource.dependencies if d not in ids_of)
    if missing:
        raise PublisherError(f"{address} refers to {', '.join(missing)}, which the state does not have: import or apply it first")
    body, ids = resolve(resource.body, ids_of), resolve(resource.ids, ids_of)
    record = new_record(resource, body, ids, status="created", remote_id=remote_id)
    checked = "not checked: the API cannot list this type"
    if resource.type.pull_path is not None:
        remote = refresh(State(state.lineage, state.serial, {address: record}), client())
        if address in remote.unreadable:
            raise PublisherError(f"{address}: {remote.unreadable[address]}")
        if address in remote.missing:
            raise PublisherError(f"{address}: there is no {resource.type.title} {remote_id} for this identity; check the id")
        record["inputs"] = {**body, **remote.found.get(address, {})}
        record["digest"] = digest(record["inputs"])
        checked = "found on the network"
    state.resources[address] = record
    return checked


def generated_entry(
    catalog: Catalog, address: str, remote_id: str, type_name: str | None, identity: str | None,
    path_ids: dict[str, str], client: Callable[[], Client],
) -> str:
    """The manifest entry (YAML) for an object read through the Pull API."""
    section, _, name = address.partition(".")
    if section not in SECTIONS or not name:
        raise PublisherError(f"{address!r} is not an address: SECTION.NAME with a section of {', '.join(SECTIONS)}")
    type_name = type_name or SECTIONS[section][0]
    rtype = TYPES.get(type_name or "")
    if rtype is None or rtype.pull_path is None:
        listable = ", ".join(t.name for t in TYPES.values() if t.pull_path)
        raise PublisherError(f"--generate needs --type, one the Pull API can list: {listable}")
    if not identity:
        raise PublisherError("--generate needs --identity: the alias (or token) of the account that owns it")
    try:
        path = rtype.pull_path.format(**path_ids)
    except KeyError as missing:
        raise PublisherError(f"--generate for {type_name} needs --id {missing.args[0]}=ID") from None
    data = client().pull(catalog.identities.get(identity, identity), path)
    kind = rtype.id_field.removesuffix("_id")
    item = next((i for i in data.get(rtype.pull_key) or [] if str(i.get(rtype.id_field)) == remote_id), None)
    if item is None:
        raise PublisherError(f"there is no {rtype.title} {remote_id} for this identity")
    fields = schema.load_schema(rtype.schema_name)["properties"]
    entry: dict[str, Any] = {} if type_name == SECTIONS[section][0] else {"type": type_name}
    entry["identity"] = identity
    entry.update({k: v for k, v in path_ids.items() if k in fields})
    for key in fields:
        value = item.get(f"{kind}_{rtype.body_key(key)}")
        if key not in entry and value not in (None, "", []) and key not in ("type", "identity"):
            entry[key] = value
    return yaml.safe_dump({section: {name: entry}}, sort_keys=False, allow_unicode=True)


def settle_pending(state: State, address: str, remote_id: str | None) -> None:
    """`state resolve`: the pending create was made (`remote_id`) or was not (None)."""
    record = state.resources.get(address)
    if record is None:
        raise StateError(f"{address} is not in the state")
    if record.get("status") != "pending":
        raise StateError(f"{address} is not pending (status {record.get('status')}); nothing to resolve")
    if remote_id is None:
        del state.resources[address]
        return
    record.update(id=remote_id, status="created", updated_at=record.get("created_at"))
    record.pop("error", None)
    record.setdefault("result", {})
    record["digest"] = digest(record.get("inputs", {}))
