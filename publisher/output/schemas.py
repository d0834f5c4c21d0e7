"""Schemas for editors: each one self-contained, with an absolute `$id`.

publisher's own schemas refer to each other by file name (`common.json#/definitions/time`),
which an editor cannot follow once publisher is installed from a wheel. A bundle copies every
schema a document refers to under its `definitions` and points each `$ref` there.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .. import DISTRIBUTION, __version__
from ..loading.schema import SCHEMA_DIR, load_schema

# An absolute URI that names these schemas and this version; nothing needs to fetch it.
ID_BASE = f"urn:{DISTRIBUTION}:{__version__}:schemas:"
BUNDLED = "bundled"  # the key under `definitions` that holds the other schemas


def schema_names() -> list[str]:
    """Every schema a user may want in an editor (not the plan's or the state's)."""
    return sorted(path.name for path in SCHEMA_DIR.glob("*.json") if path.name not in ("plan.schema.json", "state.schema.json"))


def bundle(name: str) -> dict[str, Any]:
    """The schema `name` with every schema it refers to, directly or not, inside it."""
    root = copy.deepcopy(load_schema(name))
    others: dict[str, Any] = {}
    pending = _rewrite(root, name, name)
    while pending:
        document = pending.pop()
        if document not in others and document != name:
            others[document] = copy.deepcopy(load_schema(document))
            others[document].pop("$schema", None)
            others[document].pop("$id", None)
            pending |= _rewrite(others[document], document, name)
    root["$id"] = ID_BASE + name
    if others:
        root.setdefault("definitions", {})[BUNDLED] = dict(sorted(others.items()))
    return root


def write_bundle(folder: Path) -> list[Path]:
    """`publisher schema --write DIR`: every schema, bundled, as DIR/<name>."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in schema_names():
        path = folder / name
        path.write_text(json.dumps(bundle(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _rewrite(node: Any, document: str, root: str) -> set[str]:
    """Point every `$ref` in `node` (a part of `document`) into the bundle of `root`; return
    the documents it names."""
    named: set[str] = set()
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str):
            target, _, pointer = reference.partition("#")
            target = target or document
            named.add(target)
            node["$ref"] = "#" + pointer if target == root else f"#/definitions/{BUNDLED}/{target}{pointer}"
        for key, value in node.items():
            if key != "$ref":
                named |= _rewrite(value, document, root)
    elif isinstance(node, list):
        for item in node:
            named |= _rewrite(item, document, root)
    return named
