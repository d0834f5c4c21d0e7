"""Skip a plan whose answer is already known: "no changes", for exactly these inputs.

A plan is a pure function of the manifests, the project file, the data files and environment
values its templates read, the variables given, the schemas, publisher itself and the state
file. After a plan with no changes, `remember` stores a digest of all of them; the next plan
with the same digest prints the same answer without parsing anything. Any change to any input
changes the digest, so the shortcut is only ever taken when it is provably the same plan.

The memo holds digests only: no token, no value read from the environment. It lives in
`<catalog root>/.publisher/` (a hidden folder, never read as manifests); PUBLISHER_CACHE=off
turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Mapping

from .catalog import Catalog
from . import cachedir
from .cachedir import CACHE_DIR, file_digest, program_digest

MEMO = "noop-plan.json"


def enabled(environ: Mapping[str, str]) -> bool:
    return environ.get("PUBLISHER_CACHE", "on").lower() not in ("off", "0", "false", "no")


class NoopMemo:
    def __init__(self, root: Path, environ: Mapping[str, str]) -> None:
        self.root = root
        self.environ = environ
        self.path = root / CACHE_DIR / MEMO

    def _key(
        self, files: list[Path], state_file: Path, variables: Mapping[str, Any], env_names: list[str], data_files: list[str]
    ) -> str:
        digest = hashlib.sha256()
        parts: list[Any] = [
            program_digest(),
            json.dumps(variables, sort_keys=True, default=str),
            str(state_file.resolve()),
            file_digest(state_file),
            file_digest(self.root / "publisher.yaml"),
        ]
        parts += [(str(f.resolve()), file_digest(f)) for f in sorted(files)]
        parts += [(name, hashlib.sha256(str(self.environ.get(name)).encode()).hexdigest()) for name in env_names]
        parts += [(name, file_digest(self.root / name)) for name in data_files]
        digest.update(json.dumps(parts).encode())
        return digest.hexdigest()

    def lookup(self, files: list[Path], state_file: Path, variables: Mapping[str, Any]) -> int | None:
        """The number of resources of the remembered no-op plan, if these inputs are its inputs."""
        if state_file.with_name(state_file.name + ".journal").exists():
            return None  # an interrupted apply: the state is not what the file says
        try:
            memo = json.loads(self.path.read_text(encoding="utf-8"))
            key = self._key(files, state_file, variables, list(memo["env"]), list(memo["data"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return int(memo["resources"]) if memo.get("key") == key else None

    def remember(self, catalog: Catalog, files: list[Path], state_file: Path, variables: Mapping[str, Any]) -> None:
        """Store the inputs of a plan that had no changes (`files`: as `discover` found them)."""
        assert catalog.context is not None
        env_names = sorted(catalog.context.used_env)
        data_files = sorted(os.path.relpath(p, self.root) for p in catalog.context.used_files)
        memo = {
            "key": self._key(files, state_file, variables, env_names, data_files),
            "env": env_names,
            "data": data_files,
            "resources": len(catalog.resources),
        }
        cachedir.write(self.root, MEMO, json.dumps(memo) + "\n")
