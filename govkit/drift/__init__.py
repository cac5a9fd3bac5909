"""Drift: what in the live metastore differs from the declared spec, and what apply does about it.

`diff_states` is the pure core; `desired_side` builds its input from a resolved environment;
renderers, audit explanations and remediation emitters are separate modules.
"""

from govkit.drift.compare import Desired, DriftOptions, ExpiredGrant, diff_states
from govkit.drift.model import Change, ChangeKind, DriftReport

__all__ = [
    "Change",
    "ChangeKind",
    "Desired",
    "DriftOptions",
    "DriftReport",
    "ExpiredGrant",
    "diff_states",
]
