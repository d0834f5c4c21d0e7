"""`publisher sandbox`: the local OneAll-compatible API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import PublisherError
from ..rules import is_loopback


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on.")
@click.option("--port", default=8910, show_default=True, help="Port (0: any free port).")
@click.option("--public-key", envvar="SANDBOX_PUBLIC_KEY", help="API public key to accept (default: random).")
@click.option("--private-key", envvar="SANDBOX_PRIVATE_KEY", help="API private key to accept (default: random).")
@click.option("--latency", type=float, default=0.0, help="Seconds added to every answer.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests refused with 503.")
@click.option(
    "--fail-after-processing", type=click.FloatRange(0, 1), default=0.0, help="Share of requests carried out, then answered 500."
)
@click.option(
    "--drop-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of requests carried out, then the connection dropped."
)
@click.option(
    "--rate-limit", type=click.IntRange(0), default=0, help="Requests per second; more are answered 429 with Retry-After."
)
@click.option("--seed", type=int, help="Seed for the random faults, to repeat a run.")
@click.option(
    "--data",
    "data_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep the objects in this JSON file across restarts.",
)
def sandbox(
    host: str,
    port: int,
    public_key: str | None,
    private_key: str | None,
    latency: float,
    error_rate: float,
    fail_after_processing: float,
    drop_rate: float,
    rate_limit: int,
    seed: int | None,
    data_file: Path | None,
) -> None:
    """Run the local OneAll-compatible API on loopback until interrupted.

    \b
      publisher sandbox --port 8910
      publisher sandbox --port 0 --latency 0.02 --error-rate 0.05 --rate-limit 50
    """
    from ..sandbox import Behaviour, Sandbox

    if not is_loopback(host):
        raise PublisherError(f"the sandbox listens on loopback only, not {host}")
    behaviour = Behaviour(latency, error_rate, fail_after_processing, drop_rate, rate_limit, seed)
    server = Sandbox(
        host=host, port=port, public_key=public_key, private_key=private_key, behaviour=behaviour, data_file=data_file
    )
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
