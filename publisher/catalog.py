"""The desired resources: manifests loaded, rendered, validated, references resolved."""

from __future__ import annotations

import datetime as dt
import functools
import graphlib
import os
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from . import manifest, schema, sharing, templating
from . import project as project_module
from .entrycache import EntryCache
from .errors import Diagnostic, InvalidInput, Location
from .manifest import Document, dotted
from .resources import COMMON_FIELDS, SECTIONS, TYPES, ResourceType

TOP_LEVEL = ("identities", "moved", *SECTIONS)
_ADDRESS = re.compile(r"^[A-Za-z0-9_-]+\.[^.\s]+$")
_TOKEN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Ref:
    """The remote id of another resource of the catalog, known once it exists."""

    address: str


@dataclass(frozen=True)
class Move:
    """`moved: [{from: ..., to: ...}]`: a renamed entry keeps its object."""

    source: str
    target: str
    location: Location


@dataclass
class Resource:
    address: str
    type: ResourceType
    identity: str  # the identity token, aliases resolved
    body: dict[str, Any]  # the API body fields; values may hold `Ref`s
    ids: dict[str, Any]  # ids that go into the create path; values may be `Ref`s
    lifecycle: Mapping[str, Any]
    # Where it is written: a Location, or (document, path) to locate only when asked (most
    # never are, and locating is a quarter of building a resource).
    where: Location | tuple[Document, tuple[Any, ...]] = field(repr=False)
    publish_at: dt.datetime | None = None
    expire_at: dt.datetime | None = None

    @property
    def location(self) -> Location:
        if isinstance(self.where, Location):
            return self.where
        document, path = self.where
        return document.locate(path)

    @functools.cached_property
    def dependencies(self) -> frozenset[str]:
        return frozenset(ref.address for ref in _refs_in([self.body, self.ids]))


@dataclass
class Catalog:
    root: Path
    files: list[str]
    project: project_module.Project = field(default_factory=project_module.Project)
    context: templating.Context | None = None
    resources: dict[str, Resource] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)  # the manifest files, resolved
    moves: list[Move] = field(default_factory=list)
    identities: dict[str, str] = field(default_factory=dict)  # alias → token
    _order: list[str] | None = field(default=None, repr=False)

    def order(self) -> list[str]:
        """Addresses so that every resource comes after the ones it refers to.

        Raises `graphlib.CycleError` (args[1]: the cycle, each address referring to the next)."""
        if self._order is None:
            self._order = _dependencies_first({a: r.dependencies for a, r in self.resources.items()})
        return self._order


_NO_LIFECYCLE: Mapping[str, Any] = types.MappingProxyType({})  # shared by every resource without one
_NO_DEPENDENCIES: frozenset[str] = frozenset()


def _dependencies_first(graph: Mapping[str, frozenset[str]]) -> list[str]:
    """A depth-first topological order, in address order where the graph leaves a choice.

    Most resources refer to nothing; graphlib costs as much for them as for the rest."""
    out: list[str] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        if not graph[start]:  # most resources refer to nothing: no walk to make
            done.add(start)
            out.append(start)
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        while stack:
            for dependency in stack[-1]:
                if dependency in done or dependency not in graph:
                    continue
                if dependency in path:
                    raise graphlib.CycleError("nodes are in a cycle", [*path[path.index(dependency):], dependency])
                path.append(dependency)
                stack.append(iter(sorted(graph[dependency])))
                break
            else:
                stack.pop()
                node = path.pop()
                done.add(node)
                out.append(node)
    return out


def _refs_in(value: Any) -> Iterable[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs_in(item)


def _as_refs(value: Any, found: set[str]) -> Any:
    """Turn `{ref: ADDRESS}` mappings (already schema-checked) into `Ref` values, adding
    each ADDRESS to `found`."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("ref"), str):
            found.add(value["ref"])
            return Ref(value["ref"])
        return {k: _as_refs(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_refs(v, found) for v in value]
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
    # A project file is never a manifest, wherever it is.
    return root, [f for f in files if f.name != project_module.PROJECT_FILE]


def display_name(path: Path, cwd: Path | None = None) -> str:
    """How a file is named in messages: relative to the working directory when inside it.

    `cwd`, when given, is the resolved working directory and `path` is resolved already."""
    try:
        if cwd is None:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


_NAME = re.compile(r"^[^.\s]+$")
_DATA_SOURCE = re.compile(r"""data\(\s*['"]([^'"]+)['"]""")


@dataclass(slots=True)
class _Entry:
    document: Document
    where: tuple[Any, ...]  # where it is written (for line numbers)
    section: str
    name: str  # its name, rendered for a generated entry
    fields: dict[str, Any]
    label: str  # "item 3 of products.csv (sku=ABC-3)" for a generated entry
    type_name: str  # `type`, or the section's default

    @property
    def address(self) -> str:
        return f"{self.section}.{self.name}"


class _Routes(dict):  # type: ignore[type-arg]
    """Where each manifest field of one type goes: (its reference, whether it is a path id,
    its name there); None for publisher's own fields. Decided once per type and field."""

    def __init__(self, rtype: ResourceType) -> None:
        super().__init__()
        self.rtype = rtype

    def __missing__(self, key: str) -> tuple[Any, bool, str] | None:
        rtype = self.rtype
        route: tuple[Any, bool, str] | None = None
        if key not in COMMON_FIELDS:
            reference = rtype.references.get(key)
            name = reference.into if reference is not None else key
            route = (reference, True, name) if name in rtype.path_ids else (reference, False, rtype.body_key(name))
        self[key] = route
        return route


class _RouteTables(dict):  # type: ignore[type-arg]
    """Each type's `_Routes`, made when the type is first met (a plain lookup after that:
    resources() asks once per resource)."""

    def __missing__(self, type_name: str) -> _Routes:
        routes = self[type_name] = _Routes(TYPES[type_name])
        return routes


_ROUTES = _RouteTables()


def _item_label(index: int, item: Any, source: str) -> str:
    label = f"item {index + 1} of {source}"
    if isinstance(item, dict) and item:
        key, value = next(iter(item.items()))
        label += f" ({key}={value})"
    return label


@dataclass
class _Record:
    """A manifest file as the entry cache recorded it."""

    entries: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str, tuple[int, int]]]
    identities: list[tuple[str, str, tuple[int, int]]]
    moves: list[tuple[str, str, tuple[int, int]]]
    data_files: list[Path]


def _readable(record: dict[str, Any] | None) -> _Record | None:
    """The record in the shapes `_replay` uses; None (read the file) if it is not what we write."""
    if record is None:
        return None

    def position(value: Any) -> tuple[int, int]:
        line, column = value
        return int(line), int(column)

    try:
        entries = []
        for entry in record["entries"]:
            section, name, where, fields, label, at = entry
            if not (isinstance(section, str) and isinstance(name, str) and isinstance(fields, dict) and isinstance(label, str)):
                return None
            if not (type(entry) is tuple and type(where) is tuple and type(at) is tuple and len(at) == 2):
                line, column = at  # lists, from the entry cache's JSON; tuples from another process
                entry = (section, name, tuple(where), fields, label, (int(line), int(column)))
            entries.append(entry)
        identities = [(str(alias), str(token), position(at)) for alias, token, at in record["identities"]]
        moves = [(str(source), str(target), position(at)) for source, target, at in record["moves"]]
        return _Record(entries, identities, moves, [Path(p) for p in record["data"]])
    except (KeyError, TypeError, ValueError):
        return None


class _Loader:
    def __init__(self, context: templating.Context) -> None:
        self.context = context
        self.problems: list[Diagnostic] = []
        self.identities: dict[str, tuple[str, Location]] = {}
        self.entries: dict[str, _Entry] = {}
        # Addresses claimed by entries with problems, and where (the others are in `entries`).
        self.faulty: dict[str, tuple[Document, tuple[Any, ...]]] = {}
        self.moves: list[Move] = []
        self.added: list[str] = []  # addresses the current file declared
        self.added_faulty: list[str] = []  # and those of its entries with problems
        self.file_identities: list[tuple[str, str, Location]] = []  # and its identities
        self.replayed = False  # some file's entries came from a record (the entry cache, another process)

    def load_file(self, path: Path, name: str, entry_cache: EntryCache | None, prepared: dict[str, Any] | None = None) -> None:
        """Read one manifest file, or replay what the entry cache recorded for it, or what
        `prepared_record` made of it in another process."""
        self.added, self.added_faulty, self.file_identities = [], [], []
        content = None
        if entry_cache is not None:
            try:
                content = path.read_bytes()
            except OSError:
                entry_cache = None  # manifest.load says why
        key = entry_cache.key(path, name, content) if entry_cache is not None and content is not None else ""
        record = _readable(entry_cache.lookup(path, key)) if entry_cache is not None else None
        if record is not None:
            self._replay(path, name, record)
            return
        if prepared is not None and (record := _readable(prepared)) is not None:
            self._replay(path, name, record)
            if entry_cache is not None and content is not None:
                entry_cache.store(path, key, set(record.data_files), {k: v for k, v in prepared.items() if k != "data"})
            return
        first_problem, first_move = len(self.problems), len(self.moves)
        usage = self.context.track()
        document, problems = manifest.load(path, name, content)
        self.problems.extend(problems)
        if problems:  # a file with YAML problems is fixed first; its entries would only add noise
            return
        self.read(document)
        if entry_cache is not None and len(self.problems) == first_problem and not usage[0]:
            entry_cache.store(path, key, usage[1], self._record(document, first_move))

    def prepared_record(self, path: Path, name: str) -> dict[str, Any] | None:
        """What reading one file adds to a fresh loader, as `load_file` can replay it
        (data: the data files it read); None where it had a problem or read the environment:
        `load_file` reads that file itself."""
        usage = self.context.track()
        document, problems = manifest.load(path, name)
        if problems:
            return None
        self.read(document)
        if self.problems or usage[0]:
            return None
        return {**self._record(document, 0), "data": sorted(map(str, usage[1]))}

    def _record(self, document: Document, first_move: int) -> dict[str, Any]:
        """What `_replay` needs to add this file's entries, identities and moves again."""
        def at(location: Location) -> tuple[int, int]:
            return location.line, location.column

        entries = []
        marks = document.marks
        for address in self.added:
            entry = self.entries[address]
            where = entry.where
            position = marks.get(where) or at(document.locate(where))
            entries.append((entry.section, entry.name, where, entry.fields, entry.label, position))
        return {
            "entries": entries,
            "identities": [[alias, token, at(location)] for alias, token, location in self.file_identities],
            "moves": [[m.source, m.target, at(m.location)] for m in self.moves[first_move:]],
        }

    def _replay(self, path: Path, name: str, record: _Record) -> None:
        """Add a cached file's entries as reading it would. Where reading it would report a
        problem (a duplicate, a conflict), any problem will do: `load` then loads again
        without the cache, for the exact messages."""
        self.replayed = True
        document = Document(name, None, folder=path.parent)
        marks = document.marks
        for section, entry_name, where, fields, label, at in record.entries:
            marks[where] = at
            address = f"{section}.{entry_name}"
            if address in self.entries or address in self.faulty:
                self._add(document, where, f"duplicate address {address}")
                continue
            type_name = str(fields.get("type") or SECTIONS[section][0])
            self.entries[address] = _Entry(document, where, section, entry_name, fields, label, type_name)
            self.added.append(address)
        for alias, token, (line, column) in record.identities:
            if self._identity_conflicts(alias, token):
                self._add(document, (), f"identity '{alias}' is already defined differently")
            self.identities.setdefault(alias, (token, Location(name, line, column)))
        for source, target, (line, column) in record.moves:
            if self._move_taken(source, target):
                self._add(document, (), f"{source} or {target} is already in another move")
            self.moves.append(Move(source, target, Location(name, line, column)))
        self.context.used_files.update(record.data_files)

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
            elif key == "moved":
                self._read_moves(document, value)
            elif not isinstance(value, dict):
                self._add(document, (key,), "must be a mapping of names to entries")
            elif key == "identities":
                self.read_identities(document, value)
            else:
                names = self.context.names(document.folder)  # what its templates see: the same for every entry
                for name, entry in value.items():
                    self._read_entry(document, key, name, entry, names)

    def _read_moves(self, document: Document, moves: Any) -> None:
        if not isinstance(moves, list):
            self._add(document, ("moved",), "must be a list of {from: ADDRESS, to: ADDRESS}")
            return
        for index, move in enumerate(moves):
            path = ("moved", index)
            if not isinstance(move, dict) or set(move) != {"from", "to"}:
                self._add(document, path, "each move is {from: ADDRESS, to: ADDRESS}")
                continue
            source, target = move["from"], move["to"]
            bad = [k for k in ("from", "to") if not isinstance(move[k], str) or not _ADDRESS.match(move[k])]
            for key in bad:
                self._add(document, (*path, key), f"{move[key]!r} is not an address (SECTION.NAME)")
            if bad:
                continue
            if source == target:
                self._add(document, path, f"moves {source} to itself")
            elif self._move_taken(source, target):
                self._add(document, path, f"{source} or {target} is already in another move")
            else:
                self.moves.append(Move(source, target, document.locate(path)))

    def _move_taken(self, source: str, target: str) -> bool:
        """Whether another move already renames `source` or into `target`."""
        return any(m.source == source or m.target == target for m in self.moves)

    def _identity_conflicts(self, alias: str, token: str) -> bool:
        """Whether `alias` is already declared with another token."""
        return alias in self.identities and self.identities[alias][0] != token

    def _add(self, document: Document, path: tuple[Any, ...], message: str, hint: str = "") -> None:
        self.problems.append(Diagnostic(document.locate(path), dotted(path), message, hint))

    def read_identities(self, document: Document, identities: dict[str, Any], where: tuple[str, ...] = ("identities",)) -> None:
        names = self.context.names(document.folder)
        for alias, token in identities.items():
            path = (*where, alias)
            token, problems = templating.render(document, token, path, names)
            self.problems.extend(problems)
            if problems:
                continue
            if not isinstance(token, str) or not _TOKEN.match(token):
                self._add(document, path, "must be an identity token (a UUID such as 2af20011-8965-471b-8f6b-8b66a611aae6)")
            elif self._identity_conflicts(alias, token):
                where_first = self.identities[alias][1]
                self._add(document, path, f"identity '{alias}' is already defined differently", f"at {where_first}")
            else:
                self.identities.setdefault(alias, (token, document.locate(path)))
                self.file_identities.append((alias, token, document.locate(path)))

    def _read_entry(self, document: Document, section: str, name: str, entry: Any, names: dict[str, Any]) -> None:
        path = (section, name)
        if not isinstance(entry, dict):
            self._add(document, path, "an entry must be a mapping of fields")
            return
        if "for_each" in entry:
            self._expand(document, section, name, entry, names)
        elif templating.is_template(name):
            self._add(document, path, "only an entry with for_each can have a templated name")
        else:
            self._add_entry(document, path, section, name, entry, names, "")

    def _expand(self, document: Document, section: str, name: str, entry: dict[str, Any], names: dict[str, Any]) -> None:
        path = (section, name)
        source = entry["for_each"]
        items, problems = templating.render(document, source, (*path, "for_each"), names)
        if problems:
            self.problems.extend(problems)
            return
        found = _DATA_SOURCE.search(source) if isinstance(source, str) else None
        shown = found.group(1) if found else "for_each"
        if isinstance(items, dict):
            pairs = [(f"item '{k}' of {shown}", {"key": k, "value": v}) for k, v in items.items()]
        elif isinstance(items, list):
            pairs = [(_item_label(i, item, shown), item) for i, item in enumerate(items)]
        else:
            kind = type(items).__name__ if items is not None else "nothing"
            self._add(document, (*path, "for_each"), f"for_each must give a list or a mapping, not {kind}")
            return
        if not templating.is_template(name):
            self._add(document, path, "the name of an entry with for_each must be a template that makes each address unique",
                      'e.g. "product-{{ each.sku }}"')
            return
        body = {k: v for k, v in entry.items() if k != "for_each"}
        renderer = templating.fields_renderer(body)  # the same fields for every item
        for label, each in pairs:
            item_names = {**names, "each": each}
            try:
                rendered = templating.render_string(name, item_names)
            except ValueError as error:
                self.problems.append(Diagnostic(document.locate(path), dotted(path), f"{label}: {error}"))
                continue
            self._add_entry(document, path, section, str(rendered), body, item_names, label, renderer)

    def _add_entry(
        self, document: Document, where: tuple[Any, ...], section: str, name: str, entry: dict[str, Any],
        names: dict[str, Any], label: str, renderer: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None,
    ) -> None:
        shown = (section, name)
        prefix = f"{label}: " if label else ""
        if not _NAME.match(name):
            self.problems.append(Diagnostic(document.locate(where), dotted(shown), f"{prefix}an entry name cannot be empty or contain '.' or spaces"))
            return
        address = f"{section}.{name}"
        first = self.entries.get(address)
        if first is not None or address in self.faulty:
            first_document, first_where = (first.document, first.where) if first is not None else self.faulty[address]
            self.problems.append(Diagnostic(document.locate(where), address, f"{prefix}duplicate address {address}",
                                            f"first defined at {first_document.locate(first_where)}"))
            return
        fields = renderer(names) if renderer is not None else None
        problems: list[Diagnostic] = []
        if fields is None:
            fields, problems = templating.render(document, entry, where, names, shown=shown, label=label)
        if problems:
            self._claim_faulty(address, document, where)
            self.problems.extend(problems)
            return
        enabled = fields.pop("enabled", True)
        if not isinstance(enabled, bool):
            self.problems.append(Diagnostic(document.locate((*where, "enabled")), f"{address}.enabled", f"{prefix}must be true or false, not {enabled!r}"))
            return
        if not enabled:
            return  # left out of the catalog: it claims no address
        default, allowed = SECTIONS[section]
        type_name = fields.get("type", default)
        if type_name not in allowed:
            message = f"type {type_name!r} cannot be declared under {section}" if type_name else "missing required field 'type'"
            at = (*where, "type") if "type" in fields else where
            self.problems.append(Diagnostic(document.locate(at), dotted((*shown, "type") if "type" in fields else shown), prefix + message, "allowed: " + ", ".join(allowed)))
            self._claim_faulty(address, document, where)
            return
        found = schema.check(document, where, fields, TYPES[type_name].schema_name, shown=shown, label=label)
        if found:
            self.problems.extend(found)
            self._claim_faulty(address, document, where)
            return
        self.entries[address] = _Entry(document, where, section, name, fields, label, type_name)
        self.added.append(address)

    def _claim_faulty(self, address: str, document: Document, where: tuple[Any, ...]) -> None:
        """An entry with problems still claims its address: a duplicate of it is one more problem,
        and a reference to it is not (its own problems are reported where it is written)."""
        self.faulty[address] = (document, where)
        self.added_faulty.append(address)

    def _token(self, entry: _Entry, value: str) -> str | None:
        """An `identity` that is no declared alias: a token written out, or a problem."""
        if _TOKEN.match(value):
            return value
        known = ", ".join(sorted(self.identities)) or "none declared"
        prefix = f"{entry.label}: " if entry.label else ""
        self.problems.append(Diagnostic(entry.document.locate((*entry.where, "identity")), f"{entry.address}.identity",
                                        f"{prefix}unknown identity '{value}'", f"declared identities: {known}"))
        return None

    def resources(self) -> dict[str, Resource]:
        built: dict[str, Resource] = {}
        tokens = {alias: token for alias, (token, _) in self.identities.items()}
        for address, entry in self.entries.items():
            routes = _ROUTES[entry.type_name]
            rtype = routes.rtype
            fields = entry.fields
            token = tokens.get(fields["identity"]) or self._token(entry, fields["identity"])
            ids: dict[str, Any] = {}
            body: dict[str, Any] = {}
            dependencies: set[str] | None = None  # made for the few resources that refer to others
            for key, value in fields.items():
                route = routes[key]
                if route is None:  # publisher's own field, not the API's
                    continue
                reference, is_id, name = route
                if isinstance(value, (dict, list)):
                    if dependencies is None:
                        dependencies = set()
                    value = _as_refs(value, dependencies)
                    if reference is not None:
                        self._check_ref(entry, key, value, reference.targets)
                if is_id:
                    ids[name] = value
                else:
                    body[name] = value
            publish_at = expire_at = None
            if "publish_at" in fields or "expire_at" in fields:
                publish_at = self._time(entry, "publish_at") if "publish_at" in fields else None
                expire_at = self._time(entry, "expire_at") if "expire_at" in fields else None
                if "expire_at" in fields and not rtype.can_delete:
                    self.problems.append(Diagnostic(entry.document.locate((*entry.where, "expire_at")), f"{address}.expire_at",
                                                    f"the API cannot delete a {rtype.title}, so it cannot expire"))
            if token is not None:
                lifecycle = fields.get("lifecycle")
                resource = built[address] = Resource(
                    address, rtype, token, body, ids, dict(lifecycle) if lifecycle else _NO_LIFECYCLE, (entry.document, entry.where),
                    publish_at, expire_at,
                )
                # found on the way: no second walk
                resource.__dict__["dependencies"] = frozenset(dependencies) if dependencies else _NO_DEPENDENCIES
        return built

    def _time(self, entry: _Entry, key: str) -> dt.datetime | None:
        text = entry.fields[key]
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            self.problems.append(Diagnostic(entry.document.locate((*entry.where, key)), f"{entry.address}.{key}", f"{text!r} is not a time: {error}"))
            return None
        return moment.astimezone(dt.timezone.utc)

    def _check_ref(self, entry: _Entry, key: str, value: Any, targets: tuple[str, ...]) -> None:
        for ref in (value,) if type(value) is Ref else _refs_in(value):  # most are one ref: no generator
            target = self.entries.get(ref.address)
            if target is not None and target.type_name in targets:
                continue
            if target is None and ref.address in self.faulty:
                continue  # it exists but has errors of its own, reported where it is written
            location = entry.document.locate((*entry.where, key, "ref"))
            prefix = f"{entry.label}: " if entry.label else ""
            if target is None:
                self.problems.append(Diagnostic(location, f"{entry.address}.{key}.ref", f"{prefix}refers to {ref.address}, which is not in the catalog"))
            else:
                self.problems.append(Diagnostic(location, f"{entry.address}.{key}.ref",
                                                f"{prefix}refers to {ref.address}, a {target.type_name}", "allowed: " + ", ".join(targets)))


def load(
    paths: list[Path], *, variables: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None,
    cache: bool = False, meanwhile: Callable[[Path, project_module.Project], None] | None = None,
) -> Catalog:
    """Load the whole catalog, or raise `InvalidInput` with every problem of every file.

    `variables` (from --var-file and --var) override the project file's `vars`. `cache`: reuse
    and record each file's rendered, validated entries in `<root>/.publisher/` (entrycache).
    `meanwhile(root, project)`: other work of the caller's, done in this process while forked
    copies read files (the state, for plan); called once before any manifest file is read, or
    not at all when the project file has problems.
    """
    try:
        return _load(paths, variables, environ, cache=cache, share=True, meanwhile=meanwhile)
    except _ReplayedProblems:  # the messages come from one plain load: exact, and never stale
        return _load(paths, variables, environ, cache=False, share=False)


def _nothing() -> None:
    pass


class _ReplayedProblems(Exception):
    """A catalog loaded partly from records (the entry cache's, a second process's) has problems."""


SHARE_MIN_BYTES = 128 * 1024  # below this, forking costs more than it saves (measured: 93 KB 1.92x -> 2.06x the floor, 173 KB 2.14x -> 1.79x)


def _prepared_elsewhere(
    jobs: list[tuple[Path, str]], context: templating.Context, meanwhile: Callable[[], None]
) -> dict[Path, dict[str, Any]]:
    """Each file's `prepared_record`, the work shared with forked copies of this process,
    which does `meanwhile()` first."""
    try:
        size = sum(path.stat().st_size for path, _ in jobs)
    except OSError:
        size = 0  # load_file says which file cannot be read
    processes = sharing.workers(os.environ)
    if size < SHARE_MIN_BYTES or processes < 2:
        meanwhile()
        return {}
    # Every process reads into its own copy of this context: what a file used reaches this
    # load only through its record, whichever process read it.
    scratch = templating.Context(vars=context.vars, environ=context.environ, root=context.root)
    records = sharing.share(jobs, lambda job: _Loader(scratch).prepared_record(*job), processes, meanwhile)
    return {path: record for (path, _), record in zip(jobs, records) if record is not None}


def _load(
    paths: list[Path], variables: Mapping[str, Any] | None, environ: Mapping[str, str] | None, *, cache: bool, share: bool,
    meanwhile: Callable[[Path, project_module.Project], None] | None = None,
) -> Catalog:
    root, files = discover(paths)
    project, problems = project_module.load(root, display_name(root / project_module.PROJECT_FILE))
    if problems:
        raise InvalidInput.from_diagnostics(problems)
    context = templating.Context(
        vars={**project.vars, **(variables or {})}, environ=os.environ if environ is None else environ, root=root
    )
    entry_cache = EntryCache(root, context.vars) if cache else None
    loader = _Loader(context)
    if project.document is not None:
        loader.read_identities(project.document, project.identities)
    names = []
    spans: dict[Path, tuple[int, int, list[str], list[str]]] = {}
    cwd = Path.cwd().resolve()
    jobs = [(path, display_name(path, cwd)) for path in map(Path.resolve, files)]
    then = functools.partial(meanwhile, root, project) if meanwhile is not None else _nothing
    if share and (entry_cache is None or entry_cache.empty):  # a cache that answers most files needs no help
        prepared = _prepared_elsewhere(jobs, context, then)
    else:
        then()
        prepared = {}
    for path, name in jobs:
        names.append(name)
        first_problem = len(loader.problems)
        loader.load_file(path, name, entry_cache, prepared.get(path))
        spans[path] = (first_problem, len(loader.problems), loader.added, loader.added_faulty)
    # A YAML file that a template reads with data() is data, not a manifest.
    for path in sorted(context.used_files & set(spans), key=lambda p: -spans[p][0]):
        start, end, added, added_faulty = spans[path]
        del loader.problems[start:end]
        for address in added:
            del loader.entries[address]
        for address in added_faulty:
            del loader.faulty[address]
        names.remove(display_name(path, cwd))
    sources = sorted(p for p in spans if p not in context.used_files)
    catalog = Catalog(root=root, files=names, project=project, context=context, sources=sources, moves=loader.moves,
                      identities={alias: token for alias, (token, _) in loader.identities.items()})
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
    if loader.problems and loader.replayed:
        raise _ReplayedProblems()
    if loader.problems:
        raise InvalidInput.from_diagnostics(loader.problems)
    if entry_cache is not None:
        entry_cache.save()
    return catalog
