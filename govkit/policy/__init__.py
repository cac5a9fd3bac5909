"""Governance policy: what is allowed, as rules with permanent codes. See `govkit rules`.

Pydantic answers "is it well-formed"; these rules answer "is it allowed". Each rule is a class
in one module per family (ownership GOV1xx, grants GOV2xx, environments GOV3xx, identities
GOV4xx; waivers GOV09x); `engine` runs them and applies severities and waivers.
"""

from __future__ import annotations

import datetime as dt

from govkit.diagnostics import Diagnostic
from govkit.policy.engine import run_rules
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec


def check_policies(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], today: dt.date
) -> list[Diagnostic]:
    """Every policy finding on the resolved spec, severities as configured, waivers applied."""
    return run_rules(spec, environments, today)
