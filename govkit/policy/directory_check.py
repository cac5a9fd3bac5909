"""Run the directory rules (GOV406-GOV416) for `govkit identities check`.

It sits apart from `directory.py` (what the rules share) because it imports the rule modules and
the engine, and they import `directory.py`.
"""

from __future__ import annotations

import datetime as dt

from govkit.diagnostics import Diagnostic
from govkit.identity.account import AccountPrincipals
from govkit.identity.document import Identities
from govkit.policy import directory_groups, directory_principals
from govkit.policy.context import Context
from govkit.policy.directory import DirectoryContext
from govkit.policy.engine import _diagnostic, configured_severity
from govkit.policy.waiverbook import WaiverBook
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec


def check_directory(
    spec: Spec,
    environments: tuple[DesiredEnvironment, ...],
    today: dt.date,
    doc: Identities,
    source: str,
    account: AccountPrincipals | None = None,
) -> list[Diagnostic]:
    """Every directory finding, severities as configured, waivers applied (unlocated)."""
    ctx = Context(spec, environments, today)
    ctx.waivers = WaiverBook(spec, today)
    dc = DirectoryContext(ctx, doc, source, account)
    out: list[Diagnostic] = []
    for rule in (*directory_groups.RULES, *directory_principals.RULES):
        severity = configured_severity(rule, spec)
        if severity is None:
            continue
        for f in rule().check_directory(dc):
            if f.waivable_by and ctx.waivers.waives(rule.code, f.waivable_by):
                continue
            out.append(_diagnostic(rule, severity, f))
    return out
