"""`publisher init`: scaffold a catalog."""

from __future__ import annotations

from pathlib import Path

import click

from ..output.terminal import inert
from ..workflows.scaffold import NETWORKS, scaffold, token_variable


@click.command("init")
@click.argument("folder", metavar="[DIR]", default="catalog", type=click.Path(path_type=Path))
@click.option(
    "--network",
    "networks",
    multiple=True,
    type=click.Choice(NETWORKS),
    help="A network to start with an example for (repeatable; default: twitter).",
)
@click.option(
    "--ci",
    type=click.Choice(["github", "gitlab", "none"]),
    default="github",
    show_default=True,
    help="The CI workflow to write: .github/workflows/publisher.yml, or publisher.gitlab-ci.yml to include.",
)
def init_command(folder: Path, networks: tuple[str, ...], ci: str) -> None:
    """Start a catalog in DIR (default: catalog): publisher.yaml, one example per network, the
    editor schemas and the CI workflow. Never overwrites a file.

    \b
      publisher init catalog --network twitter --network pinterest --ci github
    """
    chosen = list(networks) or ["twitter"]
    written = scaffold(folder, chosen, ci)
    for path in written:
        click.echo(inert(f"wrote {path}"))
    secrets = ", ".join(token_variable(n) for n in chosen)
    click.echo(
        inert(
            f"\nNext: set {secrets} (each identity's token; in CI, as secrets), then\n"
            f"  publisher validate {folder}\n  publisher plan {folder}\n"
            "Try it without an account first: publisher sandbox (docs/getting-started.md)."
        )
    )
