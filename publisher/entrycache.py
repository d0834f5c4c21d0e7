"""Each manifest file's rendered, validated entries, reused while none of their inputs changed.

A file's entries are a pure function of its bytes, its path (data() looks beside it, messages
name it), the variables, the data files its templates read, publisher's code and schemas.
The record of a file is keyed by a digest of all of those; the data files are hashed again at
every lookup. A file whose templates read the environment is never recorded: the cache holds
only what manifests and data files say, never a value from the environment. Where a catalog
loaded through the cache has any problem, it is loaded again without it, so every message is
exactly the one a cold load gives.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from . import cachedir
from .cachedir import CACHE_DIR, file_digest, program_digest

ENTRIES = "entries.jsonl"
FORMAT = 2


def _line_key(path: Path) -> str:
    """A file's path as its line starts: JSON, so no tab or newline of a file name is raw."""
    return json.dumps(str(path))


class EntryCache:
    """One line per manifest file: its path, a tab, its record as JSON. A record is parsed
    when its file is looked up, and an unchanged one is written back as the text it was
    (re-encoding every record cost a tenth of a plan after a one-file change)."""

    def __init__(self, root: Path, variables: Mapping[str, Any]) -> None:
        self.root = root
        self.path = root / CACHE_DIR / ENTRIES
        self.common = hashlib.sha256(
            json.dumps([FORMAT, program_digest(), str(root), variables], sort_keys=True, default=repr).encode()
        ).hexdigest()
        self._old = self._read()
        self._kept: dict[str, str] = {}
        self._added = False
        self._digests: dict[Path, str] = {}  # data files, hashed once per load however many files read them

    @property
    def empty(self) -> bool:
        """No usable record: every file will be read."""
        return not self._old

    def _digest(self, path: Path) -> str:
        if path not in self._digests:
            self._digests[path] = file_digest(path)
        return self._digests[path]

    def _read(self) -> dict[str, str]:
        """Each file's record, still as text, if the cache was made for these inputs."""
        try:
            with self.path.open(encoding="utf-8") as stream:
                header = json.loads(stream.readline())
                if not isinstance(header, dict) or header.get("common") != self.common:
                    return {}
                records = {}
                for line in stream:
                    name, tab, record = line.partition("\t")
                    if tab:
                        records[name] = record.rstrip("\n")
                return records
        except (OSError, ValueError):
            return {}

    def key(self, path: Path, display: str, content: bytes) -> str:
        return hashlib.sha256(
            f"{self.common}\0{path}\0{display}\0{hashlib.sha256(content).hexdigest()}".encode()
        ).hexdigest()

    def lookup(self, path: Path, key: str) -> dict[str, Any] | None:
        """The record stored for this file under `key`, if its data files are unchanged too."""
        name = _line_key(path)
        text = self._old.get(name)
        if text is None:
            return None
        try:
            record = json.loads(text)
        except ValueError:
            return None
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        data = record.get("data")
        if not isinstance(data, dict) or any(self._digest(Path(p)) != d for p, d in data.items()):
            return None
        self._kept[name] = text
        return record

    def store(self, path: Path, key: str, data_files: set[Path], record: dict[str, Any]) -> None:
        stored = {**record, "key": key, "data": {str(p): self._digest(p) for p in sorted(data_files)}}
        self._kept[_line_key(path)] = json.dumps(stored, separators=(",", ":"), check_circular=False)
        self._added = True

    def save(self) -> None:
        """Write what this load used and made; nothing when that is what was there."""
        if not self._added and self._kept.keys() == self._old.keys():
            return
        lines = [json.dumps({"common": self.common})] + [f"{name}\t{text}" for name, text in self._kept.items()]
        cachedir.write(self.root, ENTRIES, "\n".join(lines) + "\n")
