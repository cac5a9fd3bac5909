"""The guard's rule, over footprints: what a protected environment holds before and after.

Pure: values in, findings out. A footprint is the part of an environment that the guard
protects, whatever it was read from (a State, compiled stacks, a saved Terraform plan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from govkit.state import State

DEFAULT_PERCENT = 20.0
# A refusal lists this many revoked grants, then a count of the rest.
SHOWN = 20

# (securable type, full name, principal, privilege): one privilege one principal holds.
GrantKey = tuple[str, str, str, str]
Kind = Literal["mass-revoke", "catalog-removed", "owner-changed", "unreadable"]


@dataclass(frozen=True)
class Footprint:
    """One environment's grants (one entry per privilege) and catalogs with their owners."""

    grants: frozenset[GrantKey] = frozenset()
    catalogs: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One destructive change, in one environment, in one line."""

    environment: str
    kind: Kind
    message: str

    def text(self) -> str:
        return f"{self.environment}: {self.message} [guard.{self.kind}]"


def footprint_of_state(state: State) -> Footprint:
    """The footprint of a State document (desired or live)."""
    grants = frozenset(
        (s.type.value, s.name, principal, privilege)
        for s in state.securables
        for principal, privileges in s.grants.items()
        for privilege in privileges
    )
    catalogs = {s.name: s.owner for s in state.securables if s.type.value == "catalog"}
    return Footprint(grants, catalogs)


def merge_footprints(parts: Iterable[Footprint]) -> Footprint:
    grants: set[GrantKey] = set()
    catalogs: dict[str, str | None] = {}
    for part in parts:
        grants |= part.grants
        catalogs.update(part.catalogs)
    return Footprint(frozenset(grants), catalogs)


def _revokes(env: str, before: Footprint, after: Footprint, percent: float) -> list[Finding]:
    if not before.grants:
        return []
    revoked = sorted(before.grants - after.grants)
    share = 100.0 * len(revoked) / len(before.grants)
    if share <= percent:
        return []
    shown = [f"{t} {n}: {p} {priv}" for t, n, p, priv in revoked[:SHOWN]]
    more = f"; and {len(revoked) - SHOWN} more" if len(revoked) > SHOWN else ""
    message = (
        f"{len(revoked)} of {len(before.grants)} grants ({share:.1f}%) would be revoked, "
        f"over the {percent:g}% limit (mass_revoke_percent): " + "; ".join(shown) + more
    )
    return [Finding(env, "mass-revoke", message)]


def _catalogs(env: str, before: Footprint, after: Footprint) -> list[Finding]:
    findings = []
    for name in sorted(before.catalogs):
        if name not in after.catalogs:
            findings.append(Finding(env, "catalog-removed", f"catalog {name} would be removed"))
        elif after.catalogs[name] != before.catalogs[name]:
            old, new = before.catalogs[name], after.catalogs[name]
            findings.append(
                Finding(
                    env,
                    "owner-changed",
                    f"catalog {name} would change owner from {old} to {new or '(unknown)'}",
                )
            )
    return findings


def check_footprints(
    before: Mapping[str, Footprint],
    after: Mapping[str, Footprint],
    protected: Callable[[str], bool],
    percent: float = DEFAULT_PERCENT,
) -> list[Finding]:
    """Every destructive change in a protected environment, by environment then kind."""
    findings: list[Finding] = []
    for env in sorted(before):
        if not protected(env):
            continue
        old, new = before[env], after.get(env, Footprint())
        findings.extend(_revokes(env, old, new, percent))
        findings.extend(_catalogs(env, old, new))
    return findings


def check_states(
    before: State,
    after: State,
    *,
    protected: bool,
    percent: float = DEFAULT_PERCENT,
    environment: str | None = None,
) -> list[Finding]:
    """The guard over two desired States of one environment (what `govkit diff` compares).

    `protected` and `percent` come from the organisation file: the environment's `protected`
    and `mass_revoke_percent`. An empty list means the change may go ahead.
    """
    env = environment or before.environment or after.environment or "(environment)"
    return check_footprints(
        {env: footprint_of_state(before)},
        {env: footprint_of_state(after)},
        lambda _: protected,
        percent,
    )


def render_findings(findings: Iterable[Finding], reason: str | None) -> list[str]:
    """The lines a command prints: refused, or allowed with the reason it was given."""
    lines = [f"govkit guard: {f.text()}" for f in findings]
    if not lines:
        return []
    if reason:
        return [*lines, f"govkit guard: allowed by --allow-destructive: {reason}"]
    return [
        *lines,
        "govkit guard: refused: a destructive change in a protected environment; if it is "
        'intended, run again with --allow-destructive "REASON" (the output records it)',
    ]
