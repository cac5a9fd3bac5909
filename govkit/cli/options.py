"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

spec_dir = click.argument("spec_dir", default="catalogs", required=False, metavar="[SPEC_DIR]")


def _parse_date(ctx: click.Context, param: click.Parameter, value: Any) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


as_of = click.option(
    "--as-of",
    "today",
    callback=_parse_date,
    default=None,
    metavar="DATE",
    help="Evaluate expiry as of this date (default: today).",
)
