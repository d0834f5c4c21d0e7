"""The one cache: the memo of a no-op plan, keyed by digests (digests.py) of its inputs.

A plan is a pure function of the manifests, the project file, the data files and the
environment values its templates read, the variables given, publisher itself (its code and
schemas) and the state. After a plan with no changes, the memo stores a digest of all of
them; the next plan whose inputs have the same digest prints "no changes" without reading
anything else. Any change to any input changes the digest, so the answer is never stale.

The memo holds digests only: no token, no environment value. It lives in
`<catalog root>/.publisher/` (hidden: never read as a manifest); PUBLISHER_CACHE=off turns it off.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from . import __version__
from .atomic import write_atomically
from .digests import digest, file_digest, json_digest

PACKAGE_DIR = Path(__file__).resolve().parent
CACHE_DIR = ".publisher"
MEMO = "noop-plan.json"


@lru_cache(maxsize=1)
def program_digest() -> str:
    """publisher's own code and schemas, and the versions of the libraries that shape a value.

    The code itself, not only the version number: a checkout between two plans changes it."""
    parts = [__version__, yaml.__version__]
    jinja = importlib.util.find_spec("jinja2")  # its code, without importing it
    if jinja is not None and jinja.origin:
        parts.append(file_digest(Path(jinja.origin)))
    for path in sorted(PACKAGE_DIR.rglob("*.py")) + sorted((PACKAGE_DIR / "schemas").glob("*.json")):
        parts.append(f"{path.relative_to(PACKAGE_DIR)} {file_digest(path)}")
    return json_digest(parts)


# The no-op memo -----------------------------------------------------------------------------


def enabled(environ: Mapping[str, str]) -> bool:
    return environ.get("PUBLISHER_CACHE", "on").lower() not in ("off", "0", "false", "no")


class MemoInputs(NamedTuple):
    """What a plan reads besides what its templates read: the manifests, vars, the state."""

    manifests: list[Path]
    variables: Mapping[str, Any]
    state: str  # the state store's fingerprint


class NoopMemo:
    """The inputs of the last plan that had no changes, for one catalog root."""

    def __init__(self, root: Path, environ: Mapping[str, str]) -> None:
        self.root = root
        self.environ = environ
        self.path = root / CACHE_DIR / MEMO

    def _key(self, inputs: MemoInputs, env_names: list[str], data_files: list[str]) -> str:
        return json_digest(
            [
                program_digest(),
                inputs.variables,
                inputs.state,
                file_digest(self.root / "publisher.yaml"),
                [(str(f.resolve()), file_digest(f)) for f in sorted(inputs.manifests)],
                [(name, digest(str(self.environ.get(name)))) for name in env_names],
                [(name, file_digest(self.root / name)) for name in data_files],
            ]
        )

    def lookup(self, inputs: MemoInputs) -> int | None:
        """The number of resources of the remembered no-op plan, if these are its inputs."""
        try:
            memo = json.loads(self.path.read_text(encoding="utf-8"))
            key = self._key(inputs, list(memo["env"]), list(memo["data"]))
            return int(memo["resources"]) if memo.get("key") == key else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remember(self, inputs: MemoInputs, env_names: set[str], data_files: set[Path], resources: int) -> None:
        """Store the inputs of a plan that had no changes, and what templates read."""
        names = sorted(env_names)
        files = sorted(os.path.relpath(p, self.root) for p in data_files)
        memo = {"key": self._key(inputs, names, files), "env": names, "data": files, "resources": resources}
        folder = self.root / CACHE_DIR
        try:
            folder.mkdir(exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# publisher's cache: safe to delete, not to commit\n*\n")
            write_atomically(self.path, json.dumps(memo) + "\n", durable=False)
        except OSError:
            pass  # a memo that cannot be written is only a slower next plan
