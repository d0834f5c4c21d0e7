"""`publisher import`."""

from __future__ import annotations

import click

from ..loading import catalog as catalog_loader
from ..workflows import adopt, inputs
from .options import CatalogArgs, catalog_options, lock_timeout_option, say


@click.command("import")
@click.argument("address")
@click.argument("remote_id")
@catalog_options
@click.option("--generate", is_flag=True, help="Print the manifest entry for the object instead (read through the Pull API).")
@click.option("--type", "type_name", help="With --generate: the resource type, e.g. pinterest/pin.")
@click.option("--identity", "identity", help="With --generate: the identity alias (or token) that owns it.")
@click.option(
    "--id", "path_ids", multiple=True, metavar="NAME=ID", help="With --generate: an id the listing needs, e.g. board_id=123."
)
@lock_timeout_option
def import_command(
    address: str,
    remote_id: str,
    catalog_args: CatalogArgs,
    generate: bool,
    type_name: str | None,
    identity: str | None,
    path_ids: tuple[str, ...],
    lock_timeout: str | None,
) -> None:
    """Adopt an object that already exists on the network into the state, without posting it.

    The manifests must declare ADDRESS. Where the Pull API can list the type, the object is
    looked up first and the state records what it says, so the next plan shows any difference.
    With --generate, print the entry to add to the manifests first.

    \b
      publisher import pins.camp-nou 352969689546669253 --generate --type pinterest/pin \\
          --identity club --id board_id=123456789012345678
      publisher import pins.camp-nou 352969689546669253 catalog/
    """
    if generate:
        catalog = catalog_loader.load(catalog_args.paths, variables=catalog_args.variables)
        ids = dict(pair.split("=", 1) for pair in path_ids if "=" in pair)
        click.echo(adopt.generated_entry(catalog, address, remote_id, type_name, identity, ids, inputs.client), nl=False)
        return
    catalog, checked = adopt.import_object(
        catalog_args.paths,
        catalog_args.variables,
        address,
        remote_id,
        state_option=catalog_args.state,
        lock_timeout=inputs.lock_timeout(lock_timeout),
        notify=say,
    )
    click.echo(f"{address}: imported as {catalog.resources[address].type.name} {remote_id} ({checked})")
