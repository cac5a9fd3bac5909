"""Waivers: a rule waived on the object it sits on, for a reason, until a date.

A waiver on a grant, on the securable it is on (or that securable's schema or domain), or on the
principal silences that rule's findings about it. A waiver that silences nothing warns (GOV090),
so that waivers do not outlive their reason; an expired one errors (GOV091) and silences nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.diagnostics.hints import closest
from govkit.policy.base import Finding, Rule, Scope
from govkit.policy.context import Context
from govkit.policy.waiverbook import WaiverBook as WaiverBook


class UnusedWaiver(Rule):
    """A waiver in force that waives nothing.

    A waiver is a debt with a reason and a date. When the finding it covered has gone (the grant
    was fixed, the rule was narrowed), the waiver is left behind and would silently cover the
    next problem of that kind on the same object. Remove it. Waivers of rules that are `off` in
    the organisation file are not checked.

    Bad (the grant already has a reason, so GOV211 finds nothing to waive):

    ```yaml
    - principal: marketing-analysts
      privileges: [USE_SCHEMA, SELECT]
      reason: FIN-1234 campaign attribution
      waivers:
        - {rule: GOV211, reason: pending FIN-1234, expires: 2027-01-31}
    ```

    Good:

    ```yaml
    - principal: marketing-analysts
      privileges: [USE_SCHEMA, SELECT]
      reason: FIN-1234 campaign attribution
    ```
    """

    code = "GOV090"
    name = "waivers.unused"
    severity = Severity.WARNING
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        book = ctx.waivers
        if book is None:
            return
        for posted in book.posted:
            waiver = posted.waiver
            if posted.used or waiver.expires < ctx.today or waiver.rule in book.off:
                continue
            if waiver.rule not in ctx.known_codes:
                continue
            yield Finding(
                f"waiver of {waiver.rule} waives nothing here",
                posted.file,
                posted.key_path("rule"),
                "remove the waiver; the finding it covered is gone",
            )


class ExpiredWaiver(Rule):
    """A waiver whose `expires` date has passed.

    An expired waiver no longer waives anything, so the finding it covered is reported again;
    this finding says why. Fix the finding, or renew the waiver with a new reason and date
    after review.

    Bad (as of 2026-11-26):

    ```yaml
    waivers:
      - {rule: GOV210, reason: revocation tracked in AUD-2026-07-close, expires: 2026-10-31}
    ```

    Good:

    ```yaml
    waivers:
      - {rule: GOV210, reason: revocation tracked in AUD-2026-07-close, expires: 2027-01-31}
    ```
    """

    code = "GOV091"
    name = "waivers.expired"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for posted in ctx.waivers.posted if ctx.waivers is not None else ():
            waiver = posted.waiver
            if waiver.expires < ctx.today:
                yield Finding(
                    f"waiver of {waiver.rule} expired on {waiver.expires.isoformat()}",
                    posted.file,
                    posted.key_path("expires"),
                    "fix what it waived, or renew it after review with a new reason and date",
                )


class UnknownRuleCode(Rule):
    """A waiver or a severity setting names a rule code that does not exist.

    A typo in `rules:` or in a waiver would otherwise do nothing at all, and the rule it meant
    to configure would keep its default. `govkit rules` lists the codes.

    Bad:

    ```yaml
    rules:
      GOV2O7: off   # letter O, not zero
    ```

    Good:

    ```yaml
    rules:
      GOV207: note
    ```
    """

    code = "GOV092"
    name = "waivers.unknown-rule"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        known = sorted(ctx.known_codes)
        org_file = ctx.spec.organisation_file
        for code in ctx.spec.organisation.rules:
            if code not in ctx.known_codes:
                yield Finding(
                    f"`rules:` names unknown rule {code!r}",
                    org_file,
                    ("rules", code),
                    closest(code, known) or "see `govkit rules` for the codes",
                    at_key=True,
                )
        for posted in ctx.waivers.posted if ctx.waivers is not None else ():
            if posted.waiver.rule not in ctx.known_codes:
                yield Finding(
                    f"waiver names unknown rule {posted.waiver.rule!r}",
                    posted.file,
                    posted.key_path("rule"),
                    closest(posted.waiver.rule, known) or "see `govkit rules` for the codes",
                )


WAIVER_RULES: tuple[type[Rule], ...] = (UnusedWaiver, ExpiredWaiver, UnknownRuleCode)
