"""The command group, and the one place errors become messages and exit codes.

Exit codes: 0 success, 1 error (bad input, API error, lock held), 2 the plan has changes
(`plan --detailed-exitcode` only), 3 a bug in publisher (rerun with --debug for the traceback).
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from typing import Any

import click

from .. import __version__
from ..errors import PublisherError
from ..output import github
from ..output.terminal import inert
from ..redact import key_forms, mask_all, mask_keys
from .apply import apply
from .calendar import calendar
from .imports import import_command
from .init import init_command
from .options import DEBUG, FORMAT, debug_option
from .plan import plan, show
from .review import review
from .sandbox import sandbox
from .schema import schema_command
from .state import state, unlock
from .takedown import takedown
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publisher")
@debug_option
def cli() -> None:
    """Publish a content catalog kept as YAML through the OneAll API.

    \b
      publisher validate catalog/
      publisher plan catalog/
      publisher apply catalog/ --auto-approve
    """


def _with_debug(command: click.Command) -> click.Command:
    """Every command accepts --debug too (`publisher plan --debug`), not only the group."""
    for child in getattr(command, "commands", {}).values():
        _with_debug(child)
    if not isinstance(command, click.Group):
        debug_option(command)  # click adds the option to a Command given to its decorator
    return command


COMMANDS = (init_command, validate, plan, show, apply, review, takedown, calendar, state, import_command, unlock, schema_command,
            sandbox)  # fmt: skip
for command in COMMANDS:
    cli.add_command(_with_debug(command))


def _api_keys() -> tuple[str, ...]:
    """The API keys in every form a message could hold them: masked in whatever is printed."""
    return key_forms(os.environ.get("ONEALL_PUBLIC_KEY", ""), os.environ.get("ONEALL_PRIVATE_KEY", ""))


def tune_collector() -> None:
    """A command lives for one run and keeps what it builds to its end, so the cycle
    collector's passes find nothing: what import made is frozen out of them, and they come
    once a million objects were made, not every 700. A plan of 10,000 resources makes fewer
    and is never scanned; an apply of 1,000 creates leaves 66 objects of cyclic garbage."""
    gc.freeze()
    gc.set_threshold(1_000_000)


def run() -> None:
    """The `publisher` command, in a process of its own."""
    tune_collector()
    main()


def main(argv: list[str] | None = None) -> None:
    """Entry point: one message and exit 1 for user-facing errors, exit 3 for bugs."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:  # as git and terraform do: the help, and success
        click.echo(cli.get_help(click.Context(cli, info_name="publisher")))
        sys.exit(0)
    meta: dict[str, Any] = {}  # what the options kept: --debug, --format
    debug = False
    try:
        with cli.make_context("publisher", args) as context:
            meta = context.meta
            cli.invoke(context)
    except PublisherError as error:
        debug = bool(meta.get(DEBUG))
        click.echo(inert(mask_keys(error.render(), _api_keys())), err=True)
        if debug:  # after the message, never instead of it
            click.echo(inert(mask_keys(traceback.format_exc(), _api_keys())), err=True)
        if error.diagnostics and github.wanted(meta.get(FORMAT)):
            click.echo(github.github_annotations(error.diagnostics), nl=False, err=True)  # never into a redirected plan
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(1)  # usage errors are errors; 2 means "changes" to scripts
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if meta.get(DEBUG):
            raise
        click.echo(
            f"internal error: {type(error).__name__}: {inert(mask_all(str(error), _api_keys()))}\n"
            "This is a bug in publisher; rerun with --debug for the traceback.",
            err=True,
        )
        sys.exit(3)
    sys.exit(0)
