"""Run the rules: one reporting path for every finding.

Severity is configuration (`rules:` in the organisation file: error, warning, note or off),
never code; waivers are applied here, and the waiver rules run last because they report on what
the other rules used.
"""

from __future__ import annotations

import datetime as dt

from govkit.diagnostics import Diagnostic, Severity
from govkit.policy import (
    classification,
    directory_groups,
    directory_principals,
    environments,
    grants,
    grants_applier,
    grants_duration,
    grants_hygiene,
    identities,
    ownership,
    storage,
)
from govkit.policy.base import Finding, Rule, Scope
from govkit.policy.context import Context
from govkit.policy.waivers import WAIVER_RULES, WaiverBook
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import State

# Every rule, in code order. Explicit on purpose: adding a rule is a reviewed one-line change.
RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        (
            *WAIVER_RULES,
            *ownership.RULES,
            *grants.RULES,
            *grants_hygiene.RULES,
            *grants_duration.RULES,
            *grants_applier.RULES,
            *environments.RULES,
            *storage.RULES,
            *classification.RULES,
            *identities.RULES,
            *directory_groups.RULES,
            *directory_principals.RULES,
        ),
        key=lambda r: r.code,
    )
)
BY_CODE: dict[str, type[Rule]] = {r.code: r for r in RULES}


def configured_severity(rule: type[Rule], spec: Spec) -> Severity | None:
    """The organisation's severity for a rule; None when it is `off`."""
    level = spec.organisation.rules.get(rule.code)
    if level == "off":
        return None
    return Severity(level) if level is not None else rule.severity


def run_rules(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], today: dt.date
) -> list[Diagnostic]:
    """Every finding of every rule that is not off and not waived, as diagnostics (unsorted)."""
    ctx = Context(spec, environments, today)
    # Waivers of directory rules are used by `govkit identities check`, not here.
    off = {
        r.code for r in RULES if configured_severity(r, spec) is None or r.scope is Scope.IDENTITIES
    }
    ctx.waivers = WaiverBook(spec, today, off)
    ctx.known_codes = frozenset(BY_CODE)
    waiver_codes = {r.code for r in WAIVER_RULES}
    ordered = [r for r in RULES if r.code not in waiver_codes] + list(WAIVER_RULES)
    out: list[Diagnostic] = []
    for rule in ordered:
        severity = configured_severity(rule, spec)
        if severity is None:
            continue
        for finding in rule().check(ctx):
            if finding.waivable_by and ctx.waivers.waives(rule.code, finding.waivable_by):
                continue
            out.append(_diagnostic(rule, severity, finding))
    return out


def _diagnostic(rule: type[Rule], severity: Severity, finding: Finding) -> Diagnostic:
    return Diagnostic(
        code=rule.code,
        severity=severity,
        message=finding.message,
        rule=rule.name,
        file=finding.file,
        path=finding.path,
        hint=finding.hint,
        at_key=finding.at_key,
    )


def run_state_rules(
    spec: Spec,
    environments: tuple[DesiredEnvironment, ...],
    env: DesiredEnvironment,
    state: State,
    today: dt.date,
) -> list[Diagnostic]:
    """The Scope.STATE rules on a live State of `env`: findings named by securable, sorted.

    Severity is the organisation's configuration, as on the spec; spec waivers sit on YAML
    objects and do not silence what the live metastore holds.
    """
    ctx = Context(spec, environments, today)
    out: list[Diagnostic] = []
    for rule in RULES:
        severity = configured_severity(rule, spec)
        if rule.scope is not Scope.STATE or severity is None:
            continue
        out.extend(_diagnostic(rule, severity, f) for f in rule().check_state(state, env, ctx))
    return sorted(out, key=lambda d: (d.file, d.code, d.message))
