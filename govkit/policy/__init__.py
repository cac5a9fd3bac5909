"""Governance policy: what is allowed, as rules with permanent codes. See `govkit rules`."""

from __future__ import annotations

import datetime as dt

from govkit.diagnostics import Diagnostic
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec


def check_policies(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], today: dt.date
) -> list[Diagnostic]:
    """Every policy finding on the resolved spec, severities as configured, waivers applied."""
    return []
