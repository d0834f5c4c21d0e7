"""`--refresh`: read objects back through the Pull API and say how the network drifted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, FatalApiError
from ..model import CREATED, PENDING, State, StateRecord
from ..redact import mask
from ..resource_types import TYPES

if TYPE_CHECKING:  # requests is imported only by commands that talk to the API
    from ..api.client import Client


@dataclass
class Remote:
    """What the network says about the objects in the state that the Pull API can list."""

    found: dict[str, dict[str, Any]] = field(default_factory=dict)  # address → fields as they are now
    missing: set[str] = field(default_factory=set)  # deleted outside publisher
    unreadable: dict[str, str] = field(default_factory=dict)  # address → why it could not be read
    matches: dict[str, list[str]] = field(default_factory=dict)  # pending address → ids that look like it


def read_back(state: State, client: Client, tokens: dict[str, str]) -> Remote:
    """`tokens`: the catalog's identity tokens by digest (the state holds digests only)."""
    remote = Remote()
    groups: dict[tuple[str, str], list[tuple[str, StateRecord]]] = {}
    for address, record in sorted(state.resources.items()):
        rtype = TYPES.get(record.type)
        if rtype is None or rtype.pull_path is None:
            continue
        path = rtype.pull_path.format(**rtype.path_values(record.ids, record.inputs))
        if record.identity not in tokens:
            remote.unreadable[address] = "its identity is no longer in the catalog, so it cannot be read back"
            continue
        groups.setdefault((tokens[record.identity], path), []).append((address, record))
    for (token, path), members in groups.items():
        try:
            data = client.pull(token, path)
        except FatalApiError:
            raise
        except ApiError as error:
            if error.status in (401, 403, 404):
                why = (
                    f"the identity {mask(token)} is revoked or unknown, or what it lists is gone ({error.status}): "
                    "reconnect the account, or check it"
                )
            else:
                why = f"could not be read back: {error.message}"
            for address, _ in members:
                remote.unreadable[address] = why
            continue
        claimed = {str(r.id) for r in state.resources.values() if r.status == CREATED}
        for address, record in members:
            rtype = TYPES[record.type]
            kind = rtype.id_field.removesuffix("_id")
            items = data.get(rtype.pull_key) or []
            if record.status == PENDING:
                # A create whose answer was lost: offer the unclaimed objects that have its fields.
                remote.matches[address] = [
                    str(i.get(rtype.id_field))
                    for i in items
                    if isinstance(i, dict)
                    and str(i.get(rtype.id_field)) not in claimed
                    and all(
                        i.get(f"{kind}_{k}") == v
                        for k, v in record.inputs.items()
                        if f"{kind}_{k}" in i and k not in rtype.renames.values()
                    )
                ]
                continue
            item = next((i for i in items if isinstance(i, dict) and str(i.get(rtype.id_field)) == str(record.id)), None)
            if item is None:
                remote.missing.add(address)
                continue
            # Only what the API says back is compared: `<kind>_<field>` keys (INFERRED shape).
            # A renamed body key (a page's `id`) would meet the object's own `<kind>_id`: skip it.
            comparable = [k for k in record.inputs if k not in rtype.renames.values()]
            remote.found[address] = {k: item[f"{kind}_{k}"] for k in comparable if f"{kind}_{k}" in item}
    return remote
