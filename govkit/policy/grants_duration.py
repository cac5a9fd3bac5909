"""How long exceptional access may last (GOV212)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, Rule, Scope, environments_phrase
from govkit.policy.context import Context, GrantEntry


class MaxGrantDuration(Rule):
    """A cross-domain grant, or a grant to a user, in a protected environment expires in time.

    Access from another domain's team, and access of one person, are exceptions: they end. With
    `grant_expiry: {max_days: N}` in the organisation file, such a grant in a protected
    environment needs `expires:` no more than N days after today, and is renewed (with a new
    date and reason) when it runs out. Without `max_days` the rule checks nothing.

    Bad (as of 2026-11-26, with `grant_expiry: {max_days: 365}`):

    ```yaml
    domain: finance
    grants:
      - {principal: marketing-analysts, privileges: [USE_CATALOG], environments: [prod],
         reason: FIN-1234 campaign attribution}
      - {principal: risk-analysts, privileges: [USE_CATALOG], environments: [prod],
         expires: 2030-12-28, reason: FIN-2201 ledger reconciliation}
    ```

    Good:

    ```yaml
      - {principal: marketing-analysts, privileges: [USE_CATALOG], environments: [prod],
         expires: 2027-03-31, reason: FIN-1234 campaign attribution}
    ```
    """

    code = "GOV212"
    name = "grants.max-duration"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        max_days = ctx.spec.organisation.grant_expiry.max_days
        if max_days is None:
            return
        latest = ctx.today + dt.timedelta(days=max_days)
        for entry in ctx.entries:
            envs = [env.name for env, _ in entry.active if env.protected]
            what = self._exceptional(ctx, entry)
            expires = entry.grant.expires
            if not envs or what is None or (expires is not None and expires <= latest):
                continue
            where = f"{what} in {environments_phrase(envs, protected=True)}"
            limit = f"at most {max_days} days (grant_expiry.max_days)"
            if expires is None:
                message = f"{where} has no `expires:`; such access lasts {limit}"
                path = entry.path
            else:
                days = (expires - ctx.today).days
                message = f"{where} runs until {expires.isoformat()}, {days} days; {limit}"
                path = entry.key_path("expires")
            yield Finding(
                message,
                entry.file,
                path,
                f"set `expires:` on or before {latest.isoformat()}, and renew it then",
                waivable_by=ctx.entry_holders(entry),
            )

    @staticmethod
    def _exceptional(ctx: Context, entry: GrantEntry) -> str | None:
        """Why the grant is an exception (a user, another domain), or None when it is not."""
        if ctx.kind(entry.principal) == "user":
            return f"the grant to user {entry.principal}"
        home = ctx.home_domain(entry.principal)
        if home is not None and home != entry.domain:
            return f"the grant to {entry.principal} of domain {home}"
        return None


RULES: tuple[type[Rule], ...] = (MaxGrantDuration,)
