"""The desired resources: manifests loaded, rendered, validated, references resolved."""

from __future__ import annotations

import graphlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import manifest, schema, templating
from .errors import Diagnostic, InvalidInput, Location
from .manifest import Document, dotted
from .resources import COMMON_FIELDS, SECTIONS, TYPES, ResourceType

TOP_LEVEL = ("identities", *SECTIONS)
_TOKEN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Ref:
    """The remote id of another resource of the catalog, known once it exists."""

    address: str


@dataclass
class Resource:
    address: str
    type: ResourceType
    identity: str  # the identity token, aliases resolved
    body: dict[str, Any]  # the API body fields; values may hold `Ref`s
    ids: dict[str, Any]  # ids that go into the create path; values may be `Ref`s
    lifecycle: dict[str, Any]
    location: Location

    @property
    def dependencies(self) -> set[str]:
        return {ref.address for ref in _refs_in([self.body, self.ids])}


@dataclass
class Catalog:
    root: Path
    files: list[str]
    resources: dict[str, Resource] = field(default_factory=dict)

    def order(self) -> list[str]:
        """Addresses so that every resource comes after the ones it refers to."""
        sorter = graphlib.TopologicalSorter(
            {a: sorted(r.dependencies) for a, r in sorted(self.resources.items())}
        )
        return list(sorter.static_order())


def _refs_in(value: Any) -> Iterable[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs_in(item)


def _as_refs(value: Any) -> Any:
    """Turn `{ref: ADDRESS}` mappings (already schema-checked) into `Ref` values."""
    if isinstance(value, dict):
        if set(value) == {"ref"} and isinstance(value["ref"], str):
            return Ref(value["ref"])
        return {k: _as_refs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_refs(v) for v in value]
    return value


def discover(paths: list[Path]) -> tuple[Path, list[Path]]:
    """The catalog root and its manifest files (sorted, hidden folders skipped)."""
    if not paths:
        paths = [Path.cwd()]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for directory, folders, names in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                files.extend(
                    Path(directory) / n for n in sorted(names) if n.endswith((".yaml", ".yml"))
                )
        elif path.exists():
            files.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or directory")
    roots = [p if p.is_dir() else p.parent for p in paths]
    root = Path(os.path.commonpath([r.resolve() for r in roots]))
    project_file = root / "publisher.yaml"
    return root, [f for f in files if f.resolve() != project_file]


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Loader:
    def __init__(self, context: templating.Context) -> None:
        self.context = context
        self.problems: list[Diagnostic] = []
        self.identities: dict[str, tuple[str, Location]] = {}
        self.entries: dict[str, tuple[Document, tuple[str, str], dict[str, Any]]] = {}
        self.first_seen: dict[str, Location] = {}

    def read(self, document: Document) -> None:
        data = document.data
        if data is None:
            return
        if not isinstance(data, dict):
            self._add(document, (), "a manifest must be a mapping of sections", "allowed: " + ", ".join(TOP_LEVEL))
            return
        for key, value in data.items():
            if key not in TOP_LEVEL:
                self._add(document, (key,), f"unknown section '{key}'", "allowed: " + ", ".join(TOP_LEVEL))
            elif value is None:
                continue
            elif not isinstance(value, dict):
                self._add(document, (key,), "must be a mapping of names to entries")
            elif key == "identities":
                self._read_identities(document, value)
            else:
                for name, entry in value.items():
                    self._read_entry(document, key, name, entry)

    def _add(self, document: Document, path: tuple[Any, ...], message: str, hint: str = "") -> None:
        self.problems.append(Diagnostic(document.locate(path), dotted(path), message, hint))

    def _read_identities(self, document: Document, identities: dict[str, Any]) -> None:
        for alias, token in identities.items():
            path = ("identities", alias)
            token, problems = templating.render(document, token, path, self.context)
            self.problems.extend(problems)
            if problems:
                continue
            if not isinstance(token, str) or not _TOKEN.match(token):
                self._add(document, path, "must be an identity token (a UUID such as 2af20011-8965-471b-8f6b-8b66a611aae6)")
            elif alias in self.identities and self.identities[alias][0] != token:
                where = self.identities[alias][1]
                self._add(document, path, f"identity '{alias}' is already defined differently", f"at {where}")
            else:
                self.identities.setdefault(alias, (token, document.locate(path)))

    def _read_entry(self, document: Document, section: str, name: str, entry: Any) -> None:
        path = (section, name)
        address = f"{section}.{name}"
        here = document.locate(path)
        if address in self.first_seen:
            self._add(document, path, f"duplicate address {address}", f"first defined at {self.first_seen[address]}")
            return
        self.first_seen[address] = here
        if not isinstance(entry, dict):
            self._add(document, path, "an entry must be a mapping of fields")
            return
        entry, problems = templating.render(document, entry, path, self.context)
        self.problems.extend(problems)
        if problems:
            return
        default, allowed = SECTIONS[section]
        type_name = entry.get("type", default)
        if type_name not in allowed:
            message = f"type {type_name!r} cannot be declared under {section}" if type_name else "missing required field 'type'"
            where = (*path, "type") if "type" in entry else path
            self._add(document, where, message, "allowed: " + ", ".join(allowed))
            return
        found = schema.check(document, path, entry, TYPES[type_name].schema_name)
        if found:
            self.problems.extend(found)
            return
        self.entries[address] = (document, path, entry)

    def _identity(self, document: Document, path: tuple[str, str], value: str) -> str | None:
        if value in self.identities:
            return self.identities[value][0]
        if _TOKEN.match(value):
            return value
        known = ", ".join(sorted(self.identities)) or "none declared"
        self._add(document, (*path, "identity"), f"unknown identity '{value}'", f"declared identities: {known}")
        return None

    def resources(self) -> dict[str, Resource]:
        built: dict[str, Resource] = {}
        for address, (document, path, entry) in self.entries.items():
            rtype = TYPES[entry.get("type", SECTIONS[path[0]][0])]
            token = self._identity(document, path, entry["identity"])
            ids: dict[str, Any] = {}
            body: dict[str, Any] = {}
            for key, value in entry.items():
                if key in COMMON_FIELDS:
                    continue
                value = _as_refs(value)
                reference = rtype.references.get(key)
                if reference is not None:
                    self._check_ref(document, (*path, key), value, reference.targets)
                name = reference.into if reference is not None else key
                if name in rtype.path_ids:
                    ids[name] = value
                else:
                    body[rtype.body_key(name)] = value
            if token is not None:
                built[address] = Resource(
                    address, rtype, token, body, ids, dict(entry.get("lifecycle") or {}), document.locate(path)
                )
        return built

    def _check_ref(self, document: Document, path: tuple[Any, ...], value: Any, targets: tuple[str, ...]) -> None:
        for ref in _refs_in(value):
            target = self.entries.get(ref.address)
            if target is None:
                self._add(document, (*path, "ref"), f"refers to {ref.address}, which is not in the catalog")
                continue
            section = ref.address.split(".", 1)[0]
            target_type = target[2].get("type", SECTIONS[section][0])
            if target_type not in targets:
                self._add(
                    document, (*path, "ref"), f"refers to {ref.address}, a {target_type}", "allowed: " + ", ".join(targets)
                )


def load(paths: list[Path], context: templating.Context | None = None) -> Catalog:
    """Load the whole catalog, or raise `InvalidInput` with every problem of every file."""
    root, files = discover(paths)
    loader = _Loader(context or templating.Context())
    names = []
    for path in files:
        name = display_name(path)
        names.append(name)
        document, problems = manifest.load(path, name)
        loader.problems.extend(problems)
        if not problems:  # a file with YAML problems is fixed first; its entries would only add noise
            loader.read(document)
    catalog = Catalog(root=root, files=names)
    catalog.resources = loader.resources()
    if not loader.problems:
        try:
            catalog.order()
        except graphlib.CycleError as error:
            cycle = error.args[1]
            first = catalog.resources[cycle[0]]
            loader.problems.append(
                Diagnostic(first.location, cycle[0], "reference cycle: " + " -> ".join(cycle))
            )
    if loader.problems:
        raise InvalidInput.from_diagnostics(loader.problems)
    return catalog
