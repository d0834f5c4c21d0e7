"""Which files make a catalog, and how messages name them."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidInput

PROJECT_FILE = "publisher.yaml"


def discover(paths: list[Path]) -> tuple[Path, list[Path]]:
    """The catalog root and its manifest files (sorted, hidden folders skipped), both resolved.

    The root is the directory given, or the common parent of several paths."""
    if not paths:
        paths = [Path.cwd()]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for directory, folders, names in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                # Hidden files (.pre-commit-config.yaml, .gitlab-ci.yml) are never manifests.
                files.extend(
                    Path(directory) / n for n in sorted(names) if n.endswith((".yaml", ".yml")) and not n.startswith(".")
                )
        elif path.exists():
            files.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or directory")
    roots = [p if p.is_dir() else p.parent for p in paths]
    root = Path(os.path.commonpath([r.resolve() for r in roots]))
    resolved = []
    for file in files:
        resolved.append(file.resolve())
        if not resolved[-1].is_relative_to(root):
            # A link to /proc/self/environ or a file of secrets would be read as a manifest.
            raise InvalidInput(f"{file}: a link to a file outside the catalog; manifests must live inside it")
    # A project file is never a manifest, wherever it is.
    return root, [f for f in resolved if f.name != PROJECT_FILE]


def whole_catalog(paths: list[Path], command: str) -> list[Path]:
    """`paths` if they are one catalog folder (or none: the working directory). plan, apply and
    calendar compare the catalog with the state: given one file, everything in the others
    would look deleted."""
    for path in paths:
        if path.exists() and not path.is_dir():
            raise InvalidInput(
                f"{path}: {command} takes the catalog folder, not a file: the other files' entries would be planned "
                f"for deletion. Give the folder, and --target ADDRESS to act on some entries (validate takes files)"
            )
    if len(paths) > 1:
        raise InvalidInput(f"{command} takes one catalog folder (the one with publisher.yaml), not {len(paths)} paths")
    return paths


def find_root(start: Path) -> Path | None:
    """The nearest folder from `start` upward that holds a publisher.yaml: the catalog root."""
    start = start.resolve()
    for folder in (start, *start.parents) if start.is_dir() else start.parents:
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    return display_names([path.resolve()])[0]


def display_names(resolved: list[Path]) -> list[str]:
    """`display_name` of each of these resolved paths (the working directory resolved once)."""
    cwd = Path.cwd().resolve()
    return [str(path.relative_to(cwd)) if path.is_relative_to(cwd) else str(path) for path in resolved]
