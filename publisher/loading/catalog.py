"""The desired resources: every manifest of a catalog read, rendered, checked and resolved."""

from __future__ import annotations

import graphlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, InvalidInput
from ..model import Move, Resource, token_digest
from . import documents, policies, queues, templating
from .entries import EntryReader
from .files import discover, display_names
from .project import Project, load_project
from .resources import ResourceBuilder, dependency_order


@dataclass
class Catalog:
    root: Path
    files: list[str]  # the manifests, as messages name them
    project: Project = field(default_factory=Project)
    context: templating.Context | None = None  # what templates read: env names, data files
    resources: dict[str, Resource] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)  # the manifest files, resolved
    moves: list[Move] = field(default_factory=list)
    identities: dict[str, str] = field(default_factory=dict)  # alias → token
    warnings: list[Diagnostic] = field(default_factory=list)  # violations of policies with severity: warning
    _order: list[str] | None = field(default=None, repr=False)
    _tokens: dict[str, str] | None = field(default=None, repr=False)

    def tokens(self) -> dict[str, str]:
        """Every identity token the catalog knows, by its digest: how the state's records,
        which hold digests only, find the token to update or delete with."""
        if self._tokens is None:
            known = {*self.identities.values(), *(r.identity for r in self.resources.values())}
            self._tokens = {token_digest(token): token for token in known}
        return self._tokens

    def order(self) -> list[str]:
        """Addresses so that every resource comes after the ones it refers to."""
        if self._order is None:
            self._order = dependency_order(self.resources)
        return self._order


def load_catalog(
    paths: list[Path],
    *,
    variables: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    secrets_needed: bool = True,
) -> Catalog:
    """Load the whole catalog, or raise `InvalidInput` with every problem of every file.

    `variables` (from --var-file and --var) override the project file's `vars`; without
    `secrets_needed` (validate), an unset identity variable reads as a placeholder token."""
    root, files = discover(paths)
    project, problems = load_project(root)
    if problems:
        raise InvalidInput.from_diagnostics(problems)
    context = templating.Context(
        vars={**project.vars, **(variables or {})},
        environ=os.environ if environ is None else environ,
        root=root,
        content_env=project.env,
        secrets_needed=secrets_needed,
    )
    reader = EntryReader(context)
    if project.document is not None:
        reader.read_identities(project.document, project.identities)
    names = dict(zip(files, display_names(files), strict=True))
    for path in files:
        document, problems = documents.load_document(path, names[path])
        reader.problems.extend(problems)
        if not problems:  # a file with YAML problems is fixed first; its entries would only add noise
            reader.read(document)
    # A YAML file that a template reads with data() is data, not a manifest.
    for path in context.used_files & set(names):
        reader.forget_file(names.pop(path))
    identities = {alias: token for alias, (token, *_) in reader.identities.items()}
    builder = ResourceBuilder(reader.entries, reader.faulty, identities)
    catalog = Catalog(
        root=root,
        files=list(names.values()),
        project=project,
        context=context,
        resources=builder.build_all(),
        sources=sorted(names),
        moves=reader.moves,
        identities=identities,
    )
    problems = reader.problems + builder.problems
    if not problems:
        try:
            catalog.order()
        except graphlib.CycleError as error:
            cycle = error.args[1]
            problems.append(Diagnostic(catalog.resources[cycle[0]].location, cycle[0], "reference cycle: " + " -> ".join(cycle)))
    if problems:
        raise InvalidInput.from_diagnostics(problems)
    check_policies(catalog)
    return catalog


def check_policies(catalog: Catalog) -> None:
    """Check the project's policies and queues; keep the warnings, raise InvalidInput with
    the errors (and the warnings: fixing the errors should not reveal more). Run again once
    queued entries have their slots, so that schedule rules count them on their slots' days."""
    project = catalog.project
    if not (project.policies or project.queues):
        return
    violations = policies.check(project.policies, catalog.resources) + queues.check(project.queues, catalog.resources)
    catalog.warnings = sorted(v for v in violations if v.severity == "warning")
    if any(v.severity == "error" for v in violations):
        raise InvalidInput.from_diagnostics(violations)
