"""The one way publisher hashes what it writes down: `sha256:<hex>` of bytes, of canonical
JSON, of files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def digest(data: bytes | str) -> str:
    """`sha256:<hex>`, the one form every digest publisher writes takes."""
    return "sha256:" + hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def json_digest(value: Any) -> str:
    """The digest of a value's canonical JSON (sorted keys, no spaces)."""
    return digest(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str))


def file_digest(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except OSError:
        return "missing"


def files_digest(root: Path, paths: set[Path]) -> str:
    """One digest of several files, each named relative to `root`."""
    named = []
    for path in sorted(p.resolve() for p in paths):
        try:
            name = str(path.relative_to(root.resolve()))
        except ValueError:
            name = str(path)
        named.append((name, file_digest(path)))
    return json_digest(named)
