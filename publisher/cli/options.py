"""Options several commands share, and how output decides on colour."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import click

from ..errors import Diagnostic
from ..output import github
from ..output.terminal import inert
from ..planning.budgets import Allowances
from ..workflows.inputs import parse_vars
from .types import DURATION, KEY_VALUE

Command = Callable[..., Any]
FORMAT, DEBUG = "publisher.format", "publisher.debug"  # what main reads from the context


class CatalogArgs(NamedTuple):
    """What every command that reads a catalog is given: PATHS, --state, --var(-file), --no-color."""

    paths: list[Path]
    state: str | None  # --state LOCATION
    variables: dict[str, Any]
    no_color: bool


def catalog_options(command: Command) -> Command:
    """The options of every command that reads the catalog and its state, given to it as one
    `catalog_args` argument."""
    return _catalog_options(command, with_state=True)


def manifest_options(command: Command) -> Command:
    """The options of a command that reads the catalog only (validate): no state, no colours."""
    return _catalog_options(command, with_state=False)


def _catalog_options(command: Command, *, with_state: bool) -> Command:
    @functools.wraps(command)
    def with_catalog_args(
        *,
        paths: tuple[Path, ...],
        var_pairs: tuple[tuple[str, str], ...],
        var_files: tuple[Path, ...],
        state_path: str | None = None,
        no_color: bool = False,
        **options: Any,
    ) -> Any:
        args = CatalogArgs(list(paths), state_path, parse_vars(var_files, var_pairs), no_color)
        return command(catalog_args=args, **options)

    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--var", "var_pairs", multiple=True, type=KEY_VALUE, metavar="KEY=VALUE", help="Set a template variable (repeatable)."
        ),
        click.option(
            "--var-file",
            "var_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            metavar="FILE",
            help="YAML file of template variables (repeatable).",
        ),
    ]
    if with_state:
        decorators += [
            click.option(
                "--state",
                "state_path",
                metavar="LOCATION",
                help="Where the state is: a file, postgresql://... or s3://... (default: PUBLISHER_STATE, then "
                "publisher.yaml's state, then publisher.state.json at the catalog root).",
            ),
            click.option("--no-color", is_flag=True, help="No colours (also a non-empty NO_COLOR)."),
        ]
    decorated: Command = with_catalog_args
    for decorator in reversed(decorators):
        decorated = decorator(decorated)
    return decorated


def format_option(*formats: str, explained: str) -> Callable[[Command], Command]:
    """`--format` with these choices, the first the default, given as `output_format`. It is
    also kept in the context, where the error handler looks whether to annotate for GitHub."""

    def remember(ctx: click.Context, param: click.Parameter, value: str) -> str:
        ctx.meta[FORMAT] = value
        return value

    return click.option(
        "--format",
        "output_format",
        type=click.Choice(formats),
        default=formats[0],
        show_default=True,
        help=explained,
        callback=remember,
    )


def debug_option(command: Command) -> Command:
    """--debug, accepted by every command as by the group: kept in the context for main."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.meta[DEBUG] = True

    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=remember,
        help="Show the traceback of an internal error.",
    )(command)


plan_format_option = format_option(
    "text",
    "json",
    "markdown",
    "github",
    "html",
    explained="json: versioned (schemas/plan.schema.json); markdown: for a PR comment; github: text plus ::error "
    "annotations; html: one self-contained page with a card per change, for reviewers.",
)


def target_option(command: Command) -> Command:
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="ADDR",
        help="Only these addresses (globs such as 'pins.*', or label:NAME) and what they depend on.",
    )(command)


def allowance_options(command: Command) -> Command:
    """--allow-deletes N, --allow-replaces N, --allow-changes N, given as one `allowed`."""

    @functools.wraps(command)
    def with_allowances(
        *, allow_deletes: int | None, allow_replaces: int | None, allow_changes: int | None, **options: Any
    ) -> Any:
        return command(allowed=Allowances(allow_deletes, allow_replaces, allow_changes), **options)

    decorated: Command = with_allowances
    for kind, budget in (("changes", "max_changes"), ("replaces", "max_replaces"), ("deletes", "max_deletes")):
        decorated = click.option(
            f"--allow-{kind}",
            type=click.IntRange(0),
            metavar="N",
            help=f"Allow this run up to N {kind} past publisher.yaml's {budget} (or the default budget of deletes).",
        )(decorated)
    return decorated


def refresh_option(command: Command) -> Command:
    return click.option(
        "--refresh",
        is_flag=True,
        help="Read the objects back through the Pull API first, and report what was deleted or edited outside publisher.",
    )(command)


def state_file_option(command: Command) -> Command:
    return click.option(
        "--state",
        "state_path",
        metavar="LOCATION",
        help="Where the state is: a file, postgresql://..., s3://..., or a catalog's folder for its state (default: "
        "PUBLISHER_STATE, then the state of the catalog around the working directory, as plan finds it).",
    )(command)


def lock_timeout_option(command: Command) -> Command:
    return click.option(
        "--lock-timeout",
        "lock_timeout",
        type=DURATION,
        default=0.0,
        metavar="DURATION",
        help="Wait this long (e.g. 30s, 10m) for a lock another run holds, instead of failing at once.",
    )(command)


def say(message: str) -> None:
    """A message for the person, on standard error."""
    click.echo(inert(message), err=True)


def color(no_color: bool) -> bool:
    """Colours on a terminal, unless --no-color, a non-empty NO_COLOR (no-color.org) or
    TERM=dumb; a non-empty FORCE_COLOR asks for them anywhere (CI logs that show colours)."""
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def report_warnings(warnings: list[Diagnostic]) -> None:
    """Violations of policies with `severity: warning`: printed, on GitHub annotated, failing nothing."""
    for warning in warnings:
        click.echo(inert(warning.render()), err=True)
    if warnings and github.wanted(click.get_current_context().meta.get(FORMAT)):
        click.echo(github.github_annotations(warnings), nl=False, err=True)
