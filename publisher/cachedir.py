"""`<catalog root>/.publisher/`: where the caches live, how they are written, and the digests
of what a plan is computed from, which they are keyed by."""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

import yaml

from . import __version__
from .state import write_atomically

PACKAGE_DIR = Path(__file__).resolve().parent
CACHE_DIR = ".publisher"  # hidden: never read as manifests


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


@lru_cache(maxsize=1)
def program_digest() -> str:
    """publisher's own code and schemas, and the versions of the libraries that shape a value.

    The code itself, not only the version number: a checkout between two plans changes it."""
    digest = hashlib.sha256(f"{__version__}\0{yaml.__version__}\0".encode())
    jinja = importlib.util.find_spec("jinja2")  # its version, without importing it
    if jinja is not None and jinja.origin:
        digest.update(Path(jinja.origin).read_bytes())
    for path in sorted(PACKAGE_DIR.glob("*.py")) + sorted((PACKAGE_DIR / "schemas").glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write(root: Path, name: str, text: str) -> None:
    """Write one cache file; a cache that cannot be written is only a slower next plan."""
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# publisher's cache: safe to delete, not to commit\n*\n")
        write_atomically(folder / name, text, durable=False)
    except OSError:
        pass
