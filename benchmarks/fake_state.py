"""Write the state an apply of a catalog would leave, without the network (for no-op plans)."""

from __future__ import annotations

import sys
from pathlib import Path

from publisher import catalog as catalog_module
from publisher.planner import digest, resolve
from publisher.state import LocalStateStore, State, now


def fake_state(root: Path, target: Path) -> None:
    catalog = catalog_module.load([root])
    state = State()
    ids: dict[str, str] = {}
    stamp = now()
    for number, address in enumerate(catalog.order()):
        resource = catalog.resources[address]
        body, path_ids = resolve(resource.body, ids), resolve(resource.ids, ids)
        ids[address] = str(900000000000000000 + number)
        state.resources[address] = {
            "type": resource.type.name,
            "identity": resource.identity,
            "id": ids[address],
            "ids": path_ids,
            "inputs": body,
            "digest": digest(body),
            "result": {},
            "status": "created",
            "created_at": stamp,
            "updated_at": stamp,
            "dependencies": sorted(resource.dependencies),
        }
    LocalStateStore(target).write(state, expected_serial=0)


if __name__ == "__main__":
    fake_state(Path(sys.argv[1]), Path(sys.argv[2]))
