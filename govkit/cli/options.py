"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from govkit.cli.root import SPEC, from_root

# SPEC_DIR defaults to the repository's catalogs/, from whichever folder inside it.
spec_dir = click.argument(
    "spec_dir", default=SPEC, required=False, metavar="[SPEC_DIR]", callback=from_root
)


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
