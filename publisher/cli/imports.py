"""`publisher import`."""

from __future__ import annotations

import click

from ..workflows import adopt, inputs
from .options import CatalogArgs, catalog_options, lock_timeout_option, say
from .types import KEY_VALUE


@click.command("import")
@click.argument("address")
@click.argument("remote_id")
@catalog_options
@click.option("--generate", is_flag=True, help="Print the manifest entry for the object instead (read through the Pull API).")
@click.option("--type", "type_name", help="With --generate: the resource type, e.g. pinterest/pin.")
@click.option("--identity", "identity", help="With --generate: the identity alias (or token) that owns it.")
@click.option(
    "--id",
    "path_ids",
    multiple=True,
    type=KEY_VALUE,
    metavar="NAME=ID",
    help="With --generate: an id the listing needs, e.g. board_id=123.",
)
@lock_timeout_option
def import_command(
    address: str,
    remote_id: str,
    catalog_args: CatalogArgs,
    generate: bool,
    type_name: str | None,
    identity: str | None,
    path_ids: tuple[tuple[str, str], ...],
    lock_timeout: float,
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
        entry = adopt.generated_entry(
            catalog_args.paths, catalog_args.variables, address, remote_id, type_name, identity, dict(path_ids), inputs.client
        )
        click.echo(entry, nl=False)
        return
    catalog, checked = adopt.import_object(
        catalog_args.paths,
        catalog_args.variables,
        address,
        remote_id,
        state_option=catalog_args.state,
        lock_timeout=lock_timeout,
        notify=say,
    )
    click.echo(f"{address}: imported as {catalog.resources[address].type.name} {remote_id} ({checked})")
