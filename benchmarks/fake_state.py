"""Write the state an apply of a catalog would leave, without the network (for no-op plans)."""

from __future__ import annotations

import sys
from pathlib import Path

from publisher.loading.catalog import load_catalog
from publisher.model import CREATED, State, resolve
from publisher.state.locations import open_store
from publisher.state.store import new_record


def fake_state(root: Path, target: Path) -> None:
    catalog = load_catalog([root])
    state = State()
    ids: dict[str, str] = {}
    for number, address in enumerate(catalog.order()):
        resource = catalog.resources[address]
        body, path_ids = resolve(resource.body, ids), resolve(resource.ids, ids)
        ids[address] = str(900000000000000000 + number)
        state.resources[address] = new_record(resource, body, path_ids, status=CREATED, remote_id=ids[address])
    open_store(str(target)).write(state, expected_serial=0)


if __name__ == "__main__":
    fake_state(Path(sys.argv[1]), Path(sys.argv[2]))
