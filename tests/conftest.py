"""Shared fixtures; helpers live in tests/helpers/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest_plugins = ["govkit.testing.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "catalogs"
# The bundled estate is checked as of this date, so that its expiry dates stay meaningful.
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def today() -> dt.date:
    return TODAY
