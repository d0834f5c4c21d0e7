"""Manifest documents → entries: sections, identities, moves, `for_each`, `enabled`, schemas.

An entry is one resource as the manifest writes it, rendered and schema-checked, before its
references and identity are resolved (`resources.py` does that, once every file is read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import rules
from ..errors import Diagnostic, Location
from ..model import Move, PathKey
from ..resource_types import SECTIONS, TYPES
from . import schema, templating
from .documents import Document, dotted

TOP_LEVEL = ("identities", "moved", *SECTIONS)
_DATA_SOURCE = re.compile(r"""data\(\s*['"]([^'"]+)['"]""")
VARIANT_NAME = re.compile(r"[a-z0-9-]{1,40}")


@dataclass
class VariantDocument(Document):
    """One variant of an entry seen as a document of its own: each of its fields is located
    where it is written, in the variant (`variants.NAME.field`) or shared on the entry."""

    entry: PathKey = ()  # where the entry is written
    variant: str = ""
    own: frozenset[str] = frozenset()  # the fields the variant writes itself
    manifest: Document | None = None  # the whole file, which finds positions once for all its variants

    def locate(self, path: PathKey) -> Location:
        path, size = tuple(path), len(self.entry)
        if path[:size] == self.entry and (len(path) == size or path[size] in self.own):
            path = (*self.entry, "variants", self.variant, *path[size:])
        return self.manifest.locate(path) if self.manifest is not None else super().locate(path)


@dataclass(slots=True)
class Entry:
    document: Document
    where: PathKey  # where it is written (for line numbers)
    section: str
    name: str  # its name, rendered for a generated entry
    fields: dict[str, Any]
    label: str  # "item 3 of products.csv (sku=ABC-3)" for a generated entry
    type_name: str  # `type`, or the section's default
    source: str = ""  # the data file a for_each read it from, else its manifest
    variant: str = ""  # one of `variants:`, at SECTION.NAME.VARIANT

    @property
    def named(self) -> tuple[str, ...]:
        return (self.section, self.name, self.variant) if self.variant else (self.section, self.name)

    @property
    def address(self) -> str:
        return ".".join(self.named)

    def locate(self, *path: Any) -> Location:
        return self.document.locate((*self.where, *path))

    def problem(self, path: tuple[str, ...], message: str, hint: str = "") -> Diagnostic:
        """A problem with one of its fields, prefixed by the item it was generated from."""
        prefix = f"{self.label}: " if self.label else ""
        return Diagnostic(self.locate(*path), dotted((*self.named, *path)), prefix + message, hint)


def _item_label(index: int, item: Any, source: str) -> str:
    label = f"item {index + 1} of {source}"
    if isinstance(item, dict) and item:
        key, value = next(iter(item.items()))
        label += f" ({key}={value})"
    return label


class EntryReader:
    """Reads the manifest documents of one catalog, collecting every problem."""

    def __init__(self, context: templating.Context) -> None:
        self.context = context
        self.problems: list[Diagnostic] = []
        self.identities: dict[str, tuple[str, Document, PathKey]] = {}  # alias → (token, where declared)
        self.entries: dict[str, Entry] = {}
        # Addresses claimed by entries with problems, and where (the others are in `entries`).
        self.faulty: dict[str, tuple[Document, PathKey]] = {}
        self.moves: list[Move] = []

    def forget_file(self, name: str) -> None:
        """Take back all that a file added: it turned out to be data that a template reads."""
        self.problems = [p for p in self.problems if p.location.file != name]
        self.entries = {a: e for a, e in self.entries.items() if e.document.file != name}
        self.faulty = {a: f for a, f in self.faulty.items() if f[0].file != name}
        self.identities = {a: i for a, i in self.identities.items() if i[1].file != name}
        self.moves = [m for m in self.moves if m.location.file != name]

    def _add(self, document: Document, path: PathKey, message: str, hint: str = "") -> None:
        self.problems.append(Diagnostic(document.locate(path), dotted(path), message, hint))

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
            bad = [k for k in ("from", "to") if not rules.is_address(move[k])]
            for key in bad:
                self._add(document, (*path, key), f"{move[key]!r} is not an address (SECTION.NAME)")
            if bad:
                continue
            source, target = move["from"], move["to"]
            if source == target:
                self._add(document, path, f"moves {source} to itself")
            elif any(m.source == source or m.target == target for m in self.moves):
                self._add(document, path, f"{source} or {target} is already in another move")
            else:
                self.moves.append(Move(source, target, document.locate(path)))

    def read_identities(self, document: Document, identities: dict[str, Any], where: PathKey = ("identities",)) -> None:
        names = self.context.names(document.folder, identity=True)
        for alias, token in identities.items():
            path = (*where, alias)
            if not isinstance(alias, str) or not rules.ENTRY_NAME.fullmatch(alias):
                # An alias is shown in plans and calendars: no newline, space or control character.
                self._add(document, path, f"{str(alias)[:80]!r} is not an identity alias: letters, digits, '_' and '-'")
                continue
            token, problems = templating.render(document, token, path, names, budget=self.context.budget)
            self.problems.extend(problems)
            if problems:
                continue
            if not rules.is_token(token):
                self._add(document, path, "must be an identity token (a UUID: 8-4-4-4-12 hexadecimal digits)")
            elif alias in self.identities and self.identities[alias][0] != token:
                _, first, first_path = self.identities[alias]
                where_first = first.locate(first_path)
                self._add(document, path, f"identity '{alias}' is already defined differently", f"at {where_first}")
            else:
                self.identities.setdefault(alias, (token, document, path))

    def _read_entry(self, document: Document, section: str, name: str, entry: Any, names: dict[str, Any]) -> None:
        path = (section, name)
        if not isinstance(entry, dict):
            self._add(document, path, "an entry must be a mapping of fields")
        elif "for_each" in entry:
            self._expand(document, section, name, entry, names)
        elif templating.is_template(name):
            self._add(document, path, "only an entry with for_each can have a templated name")
        else:
            self._add_entry(document, path, section, name, entry, names, "")

    def _expand(self, document: Document, section: str, name: str, entry: dict[str, Any], names: dict[str, Any]) -> None:
        path = (section, name)
        source = entry["for_each"]
        items, problems = templating.render(document, source, (*path, "for_each"), names, budget=self.context.budget)
        if problems:
            self.problems.extend(problems)
            return
        found = _DATA_SOURCE.search(source) if isinstance(source, str) else None
        shown = found.group(1) if found else "for_each"
        origin = found.group(1) if found else document.file
        if isinstance(items, dict):
            pairs = [(f"item '{k}' of {shown}", {"key": k, "value": v}) for k, v in items.items()]
        elif isinstance(items, list):
            pairs = [(_item_label(i, item, shown), item) for i, item in enumerate(items)]
        else:
            kind = type(items).__name__ if items is not None else "nothing"
            self._add(document, (*path, "for_each"), f"for_each must give a list or a mapping, not {kind}")
            return
        if not templating.is_template(name):
            self._add(
                document,
                path,
                "the name of an entry with for_each must be a template that makes each address unique",
                'e.g. "product-{{ each.sku }}"',
            )
            return
        body = {k: v for k, v in entry.items() if k != "for_each"}
        for label, each in pairs:
            item_names = {**names, "each": each}
            try:
                rendered = templating.render_string(name, item_names, self.context.budget)
            except ValueError as error:
                self.problems.append(Diagnostic(document.locate(path), dotted(path), f"{label}: {error}"))
                continue
            self._add_entry(document, path, section, str(rendered), body, item_names, label, origin)

    def _add_entry(
        self,
        document: Document,
        where: PathKey,
        section: str,
        name: str,
        raw: dict[str, Any],
        names: dict[str, Any],
        label: str,
        origin: str = "",
    ) -> None:
        shown = (section, name)
        prefix = f"{label}: " if label else ""
        address = f"{section}.{name}"
        if not self._new_address(document, where, address, name, prefix):
            return
        if "variants" in raw:
            self._add_variants(document, where, section, name, raw, names, label, origin)
            return
        fields, problems = templating.render(
            document, raw, where, names, shown=shown, label=label, identity_key="identity", budget=self.context.budget
        )
        if problems:
            self._claim_faulty(address, document, where, problems)
            return
        enabled = _enabled(fields, document, where, address, prefix)
        if isinstance(enabled, Diagnostic):
            self.problems.append(enabled)
            return
        if not enabled:
            return  # left out of the catalog: it claims no address
        type_name = _section_type(fields, section, document, where, shown, prefix, "missing required field 'type'")
        if isinstance(type_name, Diagnostic):
            self._claim_faulty(address, document, where, [type_name])
            return
        found = schema.check(document, where, fields, TYPES[type_name].schema_name, shown=shown, label=label)
        if found:
            self._claim_faulty(address, document, where, found)
            return
        self.entries[address] = Entry(document, where, section, name, fields, label, type_name, origin or document.file)

    def _add_variants(
        self,
        document: Document,
        where: PathKey,
        section: str,
        name: str,
        raw: dict[str, Any],
        names: dict[str, Any],
        label: str,
        origin: str,
    ) -> None:
        """`variants:` makes one entry per variant at SECTION.NAME.VARIANT: the entry's fields go
        to each variant whose type has them, a variant's own fields win, and each is checked
        against its own type. A shared field that no variant's type has is an error."""
        address, prefix = f"{section}.{name}", f"{label}: " if label else ""
        variants = raw["variants"]
        if not isinstance(variants, dict) or not variants:
            at = (*where, "variants")
            problem = Diagnostic(document.locate(at), f"{address}.variants", f"{prefix}must map variant names to fields",
                                 "e.g. twitter: {type: twitter/post, identity: club-twitter}")  # fmt: skip
            self._claim_faulty(address, document, where, [problem])
            return
        shared_raw = {k: v for k, v in raw.items() if k != "variants"}
        shared, problems = templating.render(
            document, shared_raw, where, names, shown=(section, name), label=label, identity_key="identity",
            budget=self.context.budget,
        )  # fmt: skip
        if problems:
            self._claim_faulty(address, document, where, problems)
            return
        self.faulty[address] = (document, where)  # the entry's own address is no resource: it names its variants
        taken: set[str] = set()
        for variant, variant_raw in variants.items():
            taken |= self._add_variant(document, where, section, name, str(variant), variant_raw, shared, names, label, origin)
        for key in shared.keys() - taken - {"enabled", "for_each"}:
            types = sorted({e.type_name for e in self.entries.values() if e.section == section and e.name == name})
            self.problems.append(
                Diagnostic(
                    document.locate((*where, key)),
                    f"{address}.{key}",
                    f"{prefix}no variant's type has field {key!r}",
                    f"the variants' types: {', '.join(types)}" if types else "",
                )  # fmt: skip
            )

    def _add_variant(
        self,
        document: Document,
        where: PathKey,
        section: str,
        name: str,
        variant: str,
        raw: Any,
        shared: dict[str, Any],
        names: dict[str, Any],
        label: str,
        origin: str,
    ) -> set[str]:
        """Add one variant; returns the shared fields its type has."""
        at, shown = (*where, "variants", variant), (section, name, variant)
        prefix = f"{label}: " if label else ""
        if not VARIANT_NAME.fullmatch(variant) or not isinstance(raw, dict):
            wrong = (
                "a variant name is lower-case letters, digits and -"
                if not VARIANT_NAME.fullmatch(variant)
                else "must be a mapping of fields"
            )
            self.problems.append(Diagnostic(document.locate(at), dotted(shown), prefix + wrong))
            return set()
        own, problems = templating.render(document, raw, at, names, shown=shown, label=label, identity_key="identity",
                                          budget=self.context.budget)  # fmt: skip
        address = ".".join(shown)
        if problems:
            self._claim_faulty(address, document, at, problems)
            return set()
        type_name = _section_type(own, section, document, at, shown, prefix, "a variant needs its own 'type'")
        if isinstance(type_name, Diagnostic):
            self._claim_faulty(address, document, at, [type_name])
            return set()
        fields_of_type = schema.load_schema(TYPES[type_name].schema_name)["properties"]
        taken = {key for key in shared if key in fields_of_type}
        fields = {**{key: shared[key] for key in taken}, **own}
        enabled = _enabled(fields, document, at, address, prefix)
        if isinstance(enabled, Diagnostic):
            self.problems.append(enabled)
            return taken
        if not enabled or not self._new_address(document, at, address, variant, prefix):
            return taken
        view = VariantDocument(document.file, document.data, folder=document.folder, entry=where, variant=variant,
                               own=frozenset(own), manifest=document)  # fmt: skip
        found = schema.check(view, where, fields, TYPES[type_name].schema_name, shown=shown, label=label)
        if found:
            self._claim_faulty(address, view, where, found)
            return taken
        self.entries[address] = Entry(view, where, section, name, fields, label, type_name, origin or document.file, variant)
        return taken

    def _new_address(self, document: Document, where: PathKey, address: str, name: str, prefix: str) -> bool:
        """Whether `address` is a well-formed address that no entry has claimed yet."""
        if not rules.ENTRY_NAME.fullmatch(name):
            message = f"{prefix}an entry name is letters, digits, _ and - only, not {name!r}"
            self.problems.append(Diagnostic(document.locate(where), dotted(tuple(address.split(".", 1))), message))
            return False
        if address in self.entries or address in self.faulty:
            first = self.entries.get(address)
            first_document, first_where = (first.document, first.where) if first is not None else self.faulty[address]
            first_at = f"first defined at {first_document.locate(first_where)}"
            self.problems.append(Diagnostic(document.locate(where), address, f"{prefix}duplicate address {address}", first_at))
            return False
        return True

    def _claim_faulty(self, address: str, document: Document, where: PathKey, problems: list[Diagnostic]) -> None:
        """An entry with problems still claims its address: a duplicate of it is one more problem,
        and a reference to it is not (its own problems are reported where it is written)."""
        self.problems.extend(problems)
        self.faulty[address] = (document, where)


def _enabled(fields: dict[str, Any], document: Document, at: PathKey, address: str, prefix: str) -> bool | Diagnostic:
    """`enabled` taken out of `fields`: true or false, else the problem."""
    enabled = fields.pop("enabled", True)
    if isinstance(enabled, bool):
        return enabled
    return Diagnostic(document.locate((*at, "enabled")), f"{address}.enabled", f"{prefix}must be true or false, not {enabled!r}")


def _section_type(
    fields: dict[str, Any], section: str, document: Document, at: PathKey, shown: PathKey, prefix: str, missing: str
) -> str | Diagnostic:
    """The entry's type (or the section's default), if the section may hold it; else the problem."""
    default, allowed = SECTIONS[section]
    type_name = fields.get("type", default)
    if type_name in allowed:
        return str(type_name)
    message = f"type {type_name!r} cannot be declared under {section}" if type_name else missing
    written = "type" in fields
    where, named = ((*at, "type"), (*shown, "type")) if written else (at, shown)
    return Diagnostic(document.locate(where), dotted(named), prefix + message, "allowed: " + ", ".join(allowed))
