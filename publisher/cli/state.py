"""`publisher state ...` and `publisher unlock`."""

from __future__ import annotations

import json

import click

from ..errors import PublisherError
from ..output.terminal import inert
from ..rules import counted
from ..workflows import state_edits
from .options import lock_timeout_option, say, state_file_option


@click.group()
def state() -> None:
    """Inspect, repair and move the state."""


@state.command("list")
@state_file_option
def state_list(state_path: str | None) -> None:
    """List the addresses in the state, with type, id and status."""
    for address, record in sorted(state_edits.records(state_path).items()):
        click.echo(inert(f"{address}\t{record.type}\t{record.id or '-'}\t{record.status}"))


@state.command("show")
@state_file_option
@click.argument("address")
def state_show(state_path: str | None, address: str) -> None:
    """Show one resource of the state (and its takedown, if it was taken down)."""
    shown = state_edits.shown(state_path, address)
    click.echo(inert(json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False)))


@state.command("resolve")
@state_file_option
@lock_timeout_option
@click.argument("address")
@click.option("--id", "remote_id", help="The object was created: its id on the network.")
@click.option("--absent", is_flag=True, help="The object was not created: forget the pending create.")
def state_resolve(state_path: str | None, lock_timeout: float, address: str, remote_id: str | None, absent: bool) -> None:
    """Settle a pending create whose outcome was unknown.

    \b
      publisher state resolve pins.camp-nou --id 352969689546669253
      publisher state resolve pins.camp-nou --absent
    """
    if bool(remote_id) == absent:
        raise PublisherError("give exactly one of --id REMOTE_ID or --absent")
    state_edits.resolve_pending(state_path, address, remote_id, timeout=lock_timeout, notify=say)
    click.echo(f"{address}: {'forgotten (it was not created)' if absent else f'recorded as created with id {remote_id}'}")


@state.command("rm")
@state_file_option
@lock_timeout_option
@click.argument("addresses", nargs=-1, required=True)
def state_rm(state_path: str | None, lock_timeout: float, addresses: tuple[str, ...]) -> None:
    """Stop tracking ADDRESSES; the objects stay on the network untouched."""
    state_edits.remove(state_path, addresses, timeout=lock_timeout, notify=say)
    for address in addresses:
        click.echo(f"{address}: removed from the state (still on the network)")


@state.command("mv")
@state_file_option
@lock_timeout_option
@click.argument("source")
@click.argument("destination")
def state_mv(state_path: str | None, lock_timeout: float, source: str, destination: str) -> None:
    """Rename an address in the state, so renaming an entry does not post it again."""
    state_edits.move(state_path, source, destination, timeout=lock_timeout, notify=say)
    click.echo(f"{source} -> {destination}")


@state.command("pull")
@state_file_option
def state_pull(state_path: str | None) -> None:
    """Print the state as its JSON document, identity tokens masked."""
    click.echo(state_edits.pulled(state_path), nl=False)


@state.command("migrate")
@state_file_option
@lock_timeout_option
@click.option(
    "--to", "target", required=True, metavar="LOCATION", help="Where the state moves: a file, postgresql://... or s3://..."
)
@click.option("--force", is_flag=True, help="Replace a state of another lineage at the target.")
def state_migrate(state_path: str | None, lock_timeout: float, target: str, force: bool) -> None:
    """Copy the state (with any unfinished apply's records) to another location, under both locks.

    \b
      publisher state migrate --to 'postgresql://ci@db.example.com/publisher'
      publisher state migrate --state old.json --to 's3://team-bucket/catalog/state.json'
    """
    copied = state_edits.migrate(state_path, target, force=force, timeout=lock_timeout, notify=say)
    click.echo(
        f"copied {counted(len(copied.resources), 'resource')} (serial {copied.serial}, lineage {copied.lineage}); "
        f"point --state, PUBLISHER_STATE or publisher.yaml's state at the new location"
    )


@click.command()
@click.argument("lock_id")
@state_file_option
@click.option(
    "--force",
    is_flag=True,
    help="Remove the lock even though its run is alive (or its holder cannot be read); that run then writes "
    "and sends nothing more.",
)
def unlock(lock_id: str, state_path: str | None, force: bool) -> None:
    """Remove the lock of a run that is gone, only if it has LOCK_ID.

    A lock whose run is still alive (its process, its PostgreSQL session, its fresh S3 lease)
    is refused: stop that run first, or pass --force.
    """
    state_edits.unlock(state_path, lock_id, force=force)
    click.echo("lock removed")
