"""Adopting objects that exist on the network: `import` and `import --generate`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import PublisherError, StateError
from ..loading import schema
from ..loading.catalog import Catalog, load_catalog
from ..model import CREATED, State, created_ids, resolve
from ..output.terminal import inert
from ..planning.refresh import read_back
from ..resource_types import SECTIONS, TYPES
from ..state.lock import Notify, ignore
from ..state.store import new_record
from . import inputs
from .inputs import ClientFactory


def import_object(
    paths: list[Path],
    variables: dict[str, Any],
    address: str,
    remote_id: str,
    *,
    state_option: str | None = None,
    lock_timeout: float = 0.0,
    notify: Notify = ignore,
    client: ClientFactory = inputs.client,
) -> tuple[Catalog, str]:
    """`import ADDRESS REMOTE_ID`: record the object under the lock; returns how it was checked."""
    catalog = load_catalog(paths, variables=variables)
    store = inputs.state_store(catalog.root, catalog.project, state_option)
    with store.lock("publisher import", timeout=lock_timeout, notify=notify):
        state = store.read()
        store.recover(state)
        checked = adopt(catalog, state, address, remote_id, client)
        store.write(state, expected_serial=state.serial)
    return catalog, checked


def adopt(catalog: Catalog, state: State, address: str, remote_id: str, client: ClientFactory) -> str:
    """Record `address` (declared in the manifests) as the existing object `remote_id`.

    Where the Pull API can list the type, the object is looked up first and the state records
    what the network says, so the next plan shows any difference. Returns how it was checked.
    """
    resource = catalog.resources.get(address)
    if resource is None:
        raise PublisherError(f"{address} is not in the manifests: declare its entry first, then import it")
    if address in state.resources:
        raise StateError(f"{address} is already in the state (id {state.resources[address].id}); nothing imported")
    ids_of = created_ids(state.resources)
    missing = sorted(d for d in resource.dependencies if d not in ids_of)
    if missing:
        raise PublisherError(f"{address} refers to {', '.join(missing)}, which the state does not have: import or apply it first")
    body, ids = resolve(resource.body, ids_of), resolve(resource.ids, ids_of)
    record = new_record(resource, body, ids, status=CREATED, remote_id=remote_id)
    checked = "not checked: the API cannot list this type"
    if resource.type.pull_path is not None:
        remote = read_back(State(state.lineage, state.serial, {address: record}), client(), catalog.tokens())
        if address in remote.unreadable:
            raise PublisherError(f"{address}: {remote.unreadable[address]}")
        if address in remote.missing:
            raise PublisherError(f"{address}: there is no {resource.type.title} {remote_id} for this identity; check the id")
        record.inputs = {**body, **remote.found.get(address, {})}
        checked = "found on the network"
    state.resources[address] = record
    return checked


def generated_entry(
    paths: list[Path],
    variables: dict[str, Any],
    address: str,
    remote_id: str,
    type_name: str | None,
    identity: str | None,
    path_ids: dict[str, str],
    client: ClientFactory,
) -> str:
    """The manifest entry (YAML) for an object read through the Pull API, for the catalog at
    `paths`."""
    catalog = load_catalog(paths, variables=variables)
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
    text = yaml.safe_dump({section: {name: entry}}, sort_keys=False, allow_unicode=True)
    if inert(text) != text:
        # What the API returned holds bidi or control characters, which YAML would write as
        # they are: write every character past ASCII as an escape, so they show.
        text = yaml.safe_dump({section: {name: entry}}, sort_keys=False, allow_unicode=False)
    return text
