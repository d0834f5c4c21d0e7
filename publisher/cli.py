"""The command line: parse options, call the core, turn errors into messages and exit codes.

Exit codes (SPEC §5): 0 success, 1 error (bad input, API error, lock held), 2 plan has changes
(`plan --detailed-exitcode` only), 3 a bug in publisher (rerun with --debug for the traceback).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import click

from . import catalog as catalog_module
from . import cache, manifest, planfile
from . import schema as schema_module
from . import project as project_module
from .cache import NoopMemo
from .applier import Applier, Outcome
from .ratelimit import RateLimiter
from .refresh import refresh as refresh_state
from .resources import TYPES
from .errors import InvalidInput, PublisherError, StateError
from .plan import Change, Plan
from .adopt import adopt, generated_entry, settle_pending
from .planner import make_plan
from .redact import mask, mask_all
from .plan import to_json as plan_to_json
from .report import apply_summary, github_annotations, plan_markdown, plan_text
from .state import LocalStateStore, State

if TYPE_CHECKING:
    from .client import Client

STATE_FILE = "publisher.state.json"


def _color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _parse_vars(var_files: tuple[str, ...], pairs: tuple[str, ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in var_files:
        document, problems = manifest.load(Path(name), name)
        if problems:
            raise InvalidInput.from_diagnostics(problems)
        if not isinstance(document.data, dict):
            raise InvalidInput(f"{name}: a var file must be a mapping of names to values")
        merged.update(document.data)
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--var {pair!r}: expected KEY=VALUE")
        merged[key] = val
    return merged


def catalog_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads the catalog shares."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--state", "state_path", type=click.Path(path_type=Path), help="State file (default: publisher.state.json at the catalog root)."),
        click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE", help="Set a template variable (repeatable)."),
        click.option("--var-file", "var_files", multiple=True, metavar="FILE", help="YAML file of template variables (repeatable)."),
        click.option("--no-color", is_flag=True, help="No colours (also NO_COLOR)."),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading and planning build a catalog's objects in one burst, and keep them: the cycle
    collector would scan them again and again (15% of a plan) and free nothing. Afterwards
    they are frozen too, or the first collection would scan them all once more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _load(
    paths: tuple[Path, ...], variables: dict[str, Any], *, use_cache: bool = True,
    meanwhile: Callable[[Path, project_module.Project], None] | None = None,
) -> catalog_module.Catalog:
    with _collector_paused():
        return catalog_module.load(
            list(paths), variables=variables, cache=use_cache and cache.enabled(os.environ), meanwhile=meanwhile
        )


class _StateMeanwhile:
    """Reads the state while the catalog is being read (catalog.load's `meanwhile`). A state
    that cannot be read is reported after the catalog's own problems, as when read after it."""

    def __init__(self, state_path: Path | None) -> None:
        self.state_path = state_path
        self.store: LocalStateStore | None = None
        self.state: State | None = None
        self.error: PublisherError | None = None

    def __call__(self, root: Path, project: project_module.Project) -> None:
        self.store = LocalStateStore(_state_file(root, project, self.state_path))
        try:
            self.state = self.store.read()
        except PublisherError as error:
            self.error = error

    def result(self, catalog: catalog_module.Catalog) -> tuple[LocalStateStore, State]:
        if self.store is None:  # not called: read it now
            self(catalog.root, catalog.project)
        if self.error is not None:
            raise self.error
        assert self.store is not None and self.state is not None
        return self.store, self.state


def _client(**options: Any) -> Client:
    """The API client from ONEALL_* variables. Imported here: requests is a fifth of
    publisher's start-up, and plan, validate and show never talk to the API."""
    from .client import Client

    return Client.from_environment(os.environ, **options)


def _state_file(root: Path, project: project_module.Project, state_path: Path | None) -> Path:
    """--state, else the project file's `state`, else publisher.state.json at the catalog root."""
    return state_path if state_path is not None else root / (project.state or STATE_FILE)


def _store(catalog: catalog_module.Catalog, state_path: Path | None) -> LocalStateStore:
    return LocalStateStore(_state_file(catalog.root, catalog.project, state_path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="publisher")
def cli() -> None:
    """Publish a content catalog kept as YAML through the OneAll API.

    \b
      publisher validate catalog/
      publisher plan catalog/
      publisher apply catalog/ --auto-approve
    """


@cli.command()
@catalog_options
@click.option("--format", "output_format", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="github: also print ::error annotations (automatic when GITHUB_ACTIONS=true).")
def validate(paths: tuple[Path, ...], state_path: Path | None, var_pairs: tuple[str, ...], var_files: tuple[str, ...], no_color: bool, debug: bool, output_format: str) -> None:
    """Check manifests: YAML, templates, schemas and references. No state, no network.

    Every problem of every file is reported, as FILE:LINE:COLUMN: FIELD: MESSAGE.
    """
    catalog = _load(paths, _parse_vars(var_files, var_pairs), use_cache=False)  # validate writes nothing, not even a cache
    files = len(catalog.files)
    click.echo(f"{len(catalog.resources)} resources in {files} file{'s' if files != 1 else ''}: valid.")


def _render(plan: Plan, output_format: str, no_color: bool) -> str:
    if output_format == "json":
        return json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return plan_markdown(plan)
    return plan_text(plan, color=_color(no_color))


def _format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format", "output_format", type=click.Choice(["text", "json", "markdown", "github"]), default="text",
        show_default=True, help="json: versioned (schemas/plan.schema.json); markdown: for a PR comment; github: text plus ::error annotations.",
    )(command)


def _target_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--target", "targets", multiple=True, metavar="ADDR", help="Only these addresses (globs such as 'pins.*') and what they depend on.")(command)


def _now() -> dt.datetime:
    """The current time, or PUBLISHER_NOW (ISO 8601 with a zone) to preview the calendar."""
    text = os.environ.get("PUBLISHER_NOW")
    if not text:
        return dt.datetime.now(dt.timezone.utc)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PublisherError(f"PUBLISHER_NOW={text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise PublisherError(f"PUBLISHER_NOW={text!r} has no time zone; add Z or an offset such as +01:00")
    return moment


def _noop_memo(paths: tuple[Path, ...], state_path: Path | None) -> tuple[NoopMemo, list[Path], Path] | None:
    """The memo of the last no-op plan, the manifest files and the state file; None if off."""
    if not cache.enabled(os.environ):
        return None
    root, files = catalog_module.discover(list(paths))
    project, problems = project_module.load(root, str(root / project_module.PROJECT_FILE))
    if problems:
        return None
    return NoopMemo(root, os.environ), files, _state_file(root, project, state_path)


def _refresh_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--refresh", is_flag=True,
        help="Read the objects back through the Pull API first, and report what was deleted or edited outside publisher.",
    )(command)


def _step_summary(plan: Plan) -> None:
    """Inside GitHub Actions, the job's summary page gets the markdown plan too."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as stream:
            stream.write(plan_markdown(plan) + "\n")


@cli.command()
@catalog_options
@_format_option
@_target_option
@click.option("--out", "out", type=click.Path(path_type=Path), help="Save the plan, to apply exactly it later with `publisher apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when there are none.")
@_refresh_option
def plan(paths: tuple[Path, ...], state_path: Path | None, var_pairs: tuple[str, ...], var_files: tuple[str, ...], no_color: bool, debug: bool, output_format: str, targets: tuple[str, ...], out: Path | None, detailed_exitcode: bool, refresh: bool) -> None:
    """Show what apply would do. Changes nothing (but the --out file).

    \b
      publisher plan examples/
      publisher plan --format markdown > comment.md
      publisher plan --out plan.json && publisher apply plan.json
      publisher plan --detailed-exitcode   # 0 no changes, 1 error, 2 changes
    """
    variables = _parse_vars(var_files, var_pairs)
    memo = _noop_memo(paths, state_path) if output_format != "json" and out is None and not targets and not refresh else None
    if memo is not None:
        count = memo[0].lookup(memo[1], memo[2], variables)
        if count is not None:  # exactly the inputs of the last plan, which had no changes
            remembered = Plan(None, "", 0, [Change(str(i), "", "no-op", "") for i in range(count)])
            click.echo(_render(remembered, output_format, no_color), nl=False)
            _step_summary(remembered)
            return
    meanwhile = _StateMeanwhile(state_path)
    with _collector_paused():
        catalog = _load(paths, variables, meanwhile=meanwhile)
        store, state = meanwhile.result(catalog)
    remote = refresh_state(state, _client()) if refresh else None
    with _collector_paused():
        the_plan = make_plan(catalog, state, targets=targets, now=_now(), remote=remote)
    click.echo(_render(the_plan, output_format, no_color), nl=False)
    _step_summary(the_plan)
    timeless = all(r.publish_at is None and r.expire_at is None for r in catalog.resources.values())
    if memo is not None and timeless and not the_plan.changes_or_blocked and store.path == memo[2]:
        memo[0].remember(catalog, memo[1], store.path, variables)
    if the_plan.blocked:
        raise PublisherError(f"the plan is blocked at {len(the_plan.blocked)} address(es); see above")
    if out is not None:
        planfile.save(the_plan, catalog, out, paths=[str(p) for p in paths], state_existed=store.exists())
        click.echo(f"Saved the plan to {out}; apply exactly it with: publisher apply {out}", err=True)
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(2)


@cli.command()
@click.argument("planfile_path", metavar="PLANFILE", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@_format_option
@click.option("--no-color", is_flag=True, help="No colours (also NO_COLOR).")
def show(planfile_path: Path, output_format: str, no_color: bool) -> None:
    """Print a saved plan as text, json or markdown."""
    saved = planfile.load(planfile_path)
    click.echo(_render(saved.plan, output_format, no_color), nl=False)


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise PublisherError("not on a terminal: refusing to apply without --auto-approve")
    answer = click.prompt("Do you want to perform these actions? Only 'yes' will be accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise PublisherError("apply cancelled; nothing was changed")


class Progress:
    """One line per action in CI; on a terminal, a bar with counts and a line per failure."""

    _DONE = {"create": "created", "update": "updated", "destroy": "deleted", "forget": "forgotten (left on the network)"}
    _VERB = {"create": "create", "update": "update", "destroy": "delete", "forget": "forget"}

    def __init__(self, total: int, *, tty: bool) -> None:
        self.total = total
        self.tty = tty
        self.finished = 0
        self.failed = 0

    def __call__(self, outcome: Outcome) -> None:
        kind, address = outcome.step
        self.finished += 1
        self.failed += 0 if outcome.ok else 1
        if self.tty:
            click.echo("\r\x1b[2K", nl=False)
        if outcome.ok and not self.tty:
            click.echo(f"{address}: {self._DONE[kind]}")
        elif not outcome.ok and not outcome.fatal:
            state = "outcome unknown" if outcome.pending else "failed"
            click.echo(f"{address}: {self._VERB[kind]} {state}: {outcome.message}", err=True)
        if self.tty:
            width = 30
            filled = int(width * self.finished / max(self.total, 1))
            click.echo(f"[{'#' * filled}{'.' * (width - filled)}] {self.finished}/{self.total}  failed {self.failed}", nl=False)

    def close(self) -> None:
        if self.tty and self.finished:
            click.echo()


@cli.command()
@catalog_options
@_target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (required without a terminal).")
@click.option("--concurrency", type=click.IntRange(1, 64), help="API calls at once (default: publisher.yaml's concurrency, else 4).")
@_refresh_option
def apply(paths: tuple[Path, ...], state_path: Path | None, var_pairs: tuple[str, ...], var_files: tuple[str, ...], no_color: bool, debug: bool, targets: tuple[str, ...], auto_approve: bool, concurrency: int | None, refresh: bool) -> None:
    """Plan, then make exactly the creates, updates and deletes needed, recording each.

    Given a file saved by `plan --out`, apply exactly that plan, once, if the state and the
    manifests are still those it was made from.

    \b
      publisher apply examples/ --auto-approve
      publisher apply plan.json --auto-approve
    """
    saved = None
    if len(paths) == 1 and planfile.is_plan_file(paths[0]):
        saved = planfile.load(paths[0])
        if targets:
            raise PublisherError("--target cannot narrow a saved plan; make the plan with --target instead")
        paths = tuple(Path(p) for p in saved.paths)
    catalog = _load(paths, _parse_vars(var_files, var_pairs))
    client = _client(on_wait=lambda message: click.echo(message, err=True))
    store = _store(catalog, state_path)
    with store.lock("publisher apply"):
        state = store.read()
        store.recover(state)
        if saved is not None:
            planfile.check_fresh(saved, state, store.exists())
            if not store.exists():
                state.lineage = saved.plan.state_lineage  # the plan was made before there was a state
            the_plan = planfile.bind(saved, catalog, state)
        else:
            remote = refresh_state(state, client) if refresh else None
            the_plan = make_plan(catalog, state, targets=targets, now=_now(), remote=remote)
        click.echo(plan_text(the_plan, color=_color(no_color)), nl=False)
        if the_plan.blocked:
            raise PublisherError(f"the plan is blocked at {len(the_plan.blocked)} address(es); nothing was changed")
        if the_plan.moved or the_plan.notes:  # record renames and vanished objects now
            store.write(state, expected_serial=state.serial)
        if not the_plan.has_changes and saved is None:
            return
        _confirm(auto_approve)
        journal = store.journal(state)
        journal.always_write = saved is not None
        applier = Applier(
            the_plan,
            journal,
            client,
            concurrency=concurrency or catalog.project.concurrency or 4,
            limiter=RateLimiter(catalog.project.rate_limits),
        )
        applier.report = Progress(len(applier.steps()), tty=sys.stdout.isatty())
        try:
            result = applier.run()
        finally:
            applier.report.close()  # type: ignore[attr-defined]
            journal.finish()
    click.echo(apply_summary(result), nl=False, err=not result.ok)
    if not result.ok:
        sys.exit(1)


@cli.group()
def state() -> None:
    """Inspect and repair the state file."""


def _state_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--state", "state_path", type=click.Path(path_type=Path), default=Path(STATE_FILE), show_default=True, help="State file.")(command)


@state.command("list")
@_state_option
def state_list(state_path: Path) -> None:
    """List the addresses in the state, with type, id and status."""
    for address, record in sorted(LocalStateStore(state_path).read().resources.items()):
        click.echo(f"{address}\t{record.get('type')}\t{record.get('id', '-')}\t{record.get('status')}")


@state.command("show")
@_state_option
@click.argument("address")
def state_show(state_path: Path, address: str) -> None:
    """Show one resource of the state (identity token masked)."""
    record = _record(LocalStateStore(state_path).read(), address)
    shown = {**record, "identity": mask(record.get("identity", ""))}
    click.echo(json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False))


def _record(current: State, address: str) -> dict[str, Any]:
    if address not in current.resources:
        raise StateError(f"{address} is not in the state")
    return current.resources[address]


@state.command("resolve")
@_state_option
@click.argument("address")
@click.option("--id", "remote_id", help="The object was created: its id on the network.")
@click.option("--absent", is_flag=True, help="The object was not created: forget the pending create.")
def state_resolve(state_path: Path, address: str, remote_id: str | None, absent: bool) -> None:
    """Settle a pending create whose outcome was unknown.

    \b
      publisher state resolve pins.camp-nou --id 352969689546669253
      publisher state resolve pins.camp-nou --absent
    """
    if bool(remote_id) == absent:
        raise PublisherError("give exactly one of --id REMOTE_ID or --absent")
    _edit_state(state_path, "publisher state resolve", lambda current: settle_pending(current, address, remote_id))
    click.echo(f"{address}: {'forgotten (it was not created)' if absent else f'recorded as created with id {remote_id}'}")


@cli.command("import")
@click.argument("address")
@click.argument("remote_id")
@catalog_options
@click.option("--generate", is_flag=True, help="Print the manifest entry for the object instead (read through the Pull API).")
@click.option("--type", "type_name", help="With --generate: the resource type, e.g. pinterest/pin.")
@click.option("--identity", "identity", help="With --generate: the identity alias (or token) that owns it.")
@click.option("--id", "path_ids", multiple=True, metavar="NAME=ID", help="With --generate: an id the listing needs, e.g. board_id=123.")
def import_command(address: str, remote_id: str, paths: tuple[Path, ...], state_path: Path | None, var_pairs: tuple[str, ...],
                   var_files: tuple[str, ...], no_color: bool, debug: bool, generate: bool, type_name: str | None,
                   identity: str | None, path_ids: tuple[str, ...]) -> None:
    """Adopt an object that already exists on the network into the state, without posting it.

    The manifests must declare ADDRESS. Where the Pull API can list the type, the object is
    looked up first and the state records what it says, so the next plan shows any difference.
    With --generate, print the entry to add to the manifests first.

    \b
      publisher import pins.camp-nou 352969689546669253 --generate --type pinterest/pin \\
          --identity club --id board_id=123456789012345678
      publisher import pins.camp-nou 352969689546669253 catalog/
    """
    catalog = _load(paths, _parse_vars(var_files, var_pairs))
    if generate:
        ids = dict(pair.split("=", 1) for pair in path_ids if "=" in pair)
        click.echo(generated_entry(catalog, address, remote_id, type_name, identity, ids, _client), nl=False)
        return
    store = _store(catalog, state_path)
    with store.lock("publisher import"):
        state = store.read()
        store.recover(state)
        checked = adopt(catalog, state, address, remote_id, _client)
        store.write(state, expected_serial=state.serial)
    click.echo(f"{address}: imported as {catalog.resources[address].type.name} {remote_id} ({checked})")


@state.command("rm")
@_state_option
@click.argument("addresses", nargs=-1, required=True)
def state_rm(state_path: Path, addresses: tuple[str, ...]) -> None:
    """Stop tracking ADDRESSES; the objects stay on the network untouched."""

    def remove(current: State) -> None:
        for address in addresses:
            _record(current, address)  # each must be there: a typo removes nothing
        for address in addresses:
            del current.resources[address]

    _edit_state(state_path, "publisher state rm", remove)
    for address in addresses:
        click.echo(f"{address}: removed from the state (still on the network)")


@state.command("mv")
@_state_option
@click.argument("source")
@click.argument("destination")
def state_mv(state_path: Path, source: str, destination: str) -> None:
    """Rename an address in the state, so renaming an entry does not post it again."""

    def move(current: State) -> None:
        _record(current, source)
        if destination in current.resources:
            raise StateError(f"{destination} is already in the state; nothing moved")
        if not re.match(r"^[A-Za-z0-9_-]+\.[^.\s]+$", destination):
            raise StateError(f"{destination!r} is not an address (SECTION.NAME)")
        current.resources[destination] = current.resources.pop(source)

    _edit_state(state_path, "publisher state mv", move)
    click.echo(f"{source} -> {destination}")


def _edit_state(state_path: Path, command: str, edit: Callable[[State], Any]) -> None:
    store = LocalStateStore(state_path)
    if not store.exists() and not store.journal_path.exists():
        raise StateError(f"{state_path}: no state file here")
    with store.lock(command):
        current = store.read()
        serial = current.serial
        edit(current)
        store.write(current, expected_serial=serial)


@cli.command()
@click.argument("lock_id")
@_state_option
def unlock(lock_id: str, state_path: Path) -> None:
    """Remove a stale state lock, only if it has LOCK_ID."""
    LocalStateStore(state_path).unlock(lock_id)
    click.echo("lock removed")


@cli.command("schema")
@click.argument("type_name", required=False, metavar="[TYPE]")
def schema_command(type_name: str | None) -> None:
    """Print the JSON Schema of a manifest, or of one resource type.

    \b
      publisher schema                 # the whole manifest
      publisher schema pinterest/pin   # one type's fields, limits and allowed values
    """
    if type_name is None:
        name = "manifest.json"
    elif type_name in TYPES:
        name = TYPES[type_name].schema_name
    else:
        raise PublisherError(f"unknown type {type_name!r}; the types are: {', '.join(TYPES)}")
    click.echo(json.dumps(schema_module.load_schema(name), indent=2, ensure_ascii=False))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on.")
@click.option("--port", default=8910, show_default=True, help="Port (0: any free port).")
@click.option("--public-key", envvar="SANDBOX_PUBLIC_KEY", help="API public key to accept (default: random).")
@click.option("--private-key", envvar="SANDBOX_PRIVATE_KEY", help="API private key to accept (default: random).")
@click.option("--latency", type=float, default=0.0, help="Seconds added to every answer.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests refused with 503.")
@click.option("--fail-after-processing", type=click.FloatRange(0, 1), default=0.0, help="Share of requests carried out, then answered 500.")
@click.option("--drop-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests carried out, then the connection dropped.")
@click.option("--rate-limit", type=click.IntRange(0), default=0, help="Requests per second; more are answered 429 with Retry-After.")
@click.option("--seed", type=int, help="Seed for the random faults, to repeat a run.")
@click.option("--data", "data_file", type=click.Path(path_type=Path, dir_okay=False), help="Keep the objects in this JSON file across restarts.")
def sandbox(host: str, port: int, public_key: str | None, private_key: str | None, latency: float, error_rate: float,
            fail_after_processing: float, drop_rate: float, rate_limit: int, seed: int | None, data_file: Path | None) -> None:
    """Run the local OneAll-compatible API on loopback until interrupted.

    \b
      publisher sandbox --port 8910
      publisher sandbox --port 0 --latency 0.02 --error-rate 0.05 --rate-limit 50
    """
    from .client import _is_loopback
    from .sandbox import Behaviour, Sandbox

    if not _is_loopback(host):
        raise PublisherError(f"the sandbox listens on loopback only, not {host}")
    behaviour = Behaviour(latency, error_rate, fail_after_processing, drop_rate, rate_limit, seed)
    server = Sandbox(host=host, port=port, public_key=public_key, private_key=private_key, behaviour=behaviour, data_file=data_file)
    click.echo(f"OneAll sandbox listening on {server.url}")
    click.echo(f"  export ONEALL_API_URL={server.url}")
    click.echo(f"  export ONEALL_PUBLIC_KEY={server.public_key}")
    click.echo(f"  export ONEALL_PRIVATE_KEY={server.private_key}", nl=True)
    sys.stdout.flush()
    try:
        server.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()


def _github(args: list[str]) -> bool:
    """Annotations for GitHub: asked for with --format github, or running in GitHub Actions."""
    if os.environ.get("GITHUB_ACTIONS") == "true" or "--format=github" in args:
        return True
    return any(a == "--format" and b == "github" for a, b in zip(args, args[1:]))


def main(argv: list[str] | None = None) -> None:
    """Entry point: one message and exit 1 for user-facing errors, exit 3 for bugs."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    # A catalog is tens of thousands of small objects that live until the command ends:
    # full collections over them cost 40% of a plan at 50,000 resources and free nothing.
    # (The collector is paused outright while a catalog is loaded and planned.)
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)
    try:
        cli.main(args=args, prog_name="publisher", standalone_mode=False)
    except PublisherError as error:
        if debug:
            raise
        click.echo(error.render(), err=True)
        if error.diagnostics and _github(args):
            click.echo(github_annotations(error.diagnostics), nl=False)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(1)  # usage errors are errors; 2 means "changes" to scripts (SPEC §5)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if debug:
            raise
        click.echo(f"internal error: {type(error).__name__}: {mask_all(str(error))}\nThis is a bug in publisher; rerun with --debug for the traceback.", err=True)
        sys.exit(3)
    sys.exit(0)
