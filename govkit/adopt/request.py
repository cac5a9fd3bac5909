"""What one `govkit import` is asked to do: `run.py` carries it out, `stacks.py` compiles for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ImportRequest:
    env: str
    source: str
    out: Path
    today: dt.date
    warehouse_id: str | None = None
    identities: str | None = None
    terraform_out: Path | None = None
    modules: str = "terraform/modules"
    merge: bool = False
    force: bool = False
    allow_incomplete: bool = False
    template: str | None = None
    workspaces: tuple[int, ...] = ()
    catalogs: tuple[str, ...] = ()
    waiver_days: int = 90
    account_host: str | None = None
    account_id: str | None = None
