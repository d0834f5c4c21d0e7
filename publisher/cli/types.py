"""Option values parsed by click, so a command receives them ready and a bad one is a usage
error naming its option."""

from __future__ import annotations

from typing import Any

import click

from ..errors import InvalidInput
from ..rules import parse_duration
from ..state.reviews import check_id


class KeyValue(click.ParamType):
    """`NAME=VALUE` (--var, import --id) → (NAME, VALUE)."""

    name = "NAME=VALUE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        key, sep, val = str(value).partition("=")
        if not sep or not key:
            self.fail(f"{value!r} is not NAME=VALUE", param, ctx)
        return key, val


class Duration(click.ParamType):
    """`30s`, `10m`, `1h` or plain seconds → seconds."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return parse_duration(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class ProposalId(click.ParamType):
    """A review proposal's ID: `github-pr-123`."""

    name = "ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_id(str(value))
        except InvalidInput as error:
            self.fail(str(error), param, ctx)


KEY_VALUE = KeyValue()
PROPOSAL_ID = ProposalId()
DURATION = Duration()
