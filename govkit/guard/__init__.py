"""The mass-revoke guard: refuse a change that would wipe access in a protected environment.

In a protected environment a change is destructive when it revokes more than the organisation's
`mass_revoke_percent` of the environment's grants (20 by default), removes a catalog, or
changes a catalog's owner. `govkit compile` (against the output it replaces), `govkit diff`
(through `check_states`) and `govkit plan-check` (a saved Terraform plan) refuse such a change
unless given `--allow-destructive "REASON"`, which the output records.
"""

from __future__ import annotations

from govkit.guard.check import (
    DEFAULT_PERCENT,
    Finding,
    Footprint,
    check_footprints,
    check_states,
    footprint_of_state,
    render_findings,
)

__all__ = [
    "DEFAULT_PERCENT",
    "Finding",
    "Footprint",
    "check_footprints",
    "check_states",
    "footprint_of_state",
    "render_findings",
]
