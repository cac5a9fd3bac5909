"""Grant rules on whether a grant works, is needed and is still due (GOV207-GOV211)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from govkit.diagnostics import Path, Severity
from govkit.policy.base import Finding, Rule, Scope, and_list, environments_phrase
from govkit.policy.context import Context, GrantEntry, UsePaths
from govkit.privileges import SecurableType
from govkit.resolve import DesiredGrant

EXPIRY_WARNING_DAYS = 14


def _dotted(path: Path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def missing_prerequisites(grant: DesiredGrant, uses: UsePaths) -> list[tuple[str, str]]:
    """What a principal lacks to use SELECT or MODIFY on a schema or table: USE_* grants."""
    if grant.securable_type is SecurableType.SCHEMA:
        catalog, schema = grant.securable.rsplit(".", 1)[0], grant.securable
    else:
        schema = grant.securable.rsplit(".", 1)[0]
        catalog = schema.rsplit(".", 1)[0]
    p = grant.principal
    missing = []
    if not (
        (p, catalog) in uses.use_catalog
        or (p, catalog) in uses.owners
        or ("USE_CATALOG", catalog) in uses.everyone
    ):
        missing.append(("USE_CATALOG", catalog))
    if not any(
        (p, name) in uses.use_schema
        or (p, name) in uses.owners
        or ("USE_SCHEMA", name) in uses.everyone
        for name in (schema, catalog)
    ):
        missing.append(("USE_SCHEMA", schema))
    return missing


_WHERE = {
    "USE_CATALOG": "USE_CATALOG in the domain's `grants:`",
    "USE_SCHEMA": "USE_SCHEMA on the schema",
}


def _describe(missing: dict[str, list[str]]) -> str:
    return and_list([f"{p} on {and_list(names)}" for p, names in missing.items()])


class IneffectiveGrant(Rule):
    """SELECT or MODIFY on a schema or table without the USE_CATALOG / USE_SCHEMA path to it.

    Reading a table needs USE_CATALOG on its catalog, USE_SCHEMA on its schema and SELECT. A
    SELECT without that path does nothing: the requester still cannot read, and the grant looks
    like access in every review. The hint names the missing grant. A warning where it already
    is (an expiry elsewhere can leave a grant without its path, and must not block every pull
    request); a change that adds one fails `govkit diff`, the pull-request check, unless the
    organisation file turns the rule off. `govkit request` grants the path with the grant.

    Bad (marketing-analysts hold nothing on the catalog finance_prod):

    ```yaml
    schemas:
      reporting:
        grants:
          - {principal: marketing-analysts, privileges: [USE_SCHEMA, SELECT], environments: [prod]}
    ```

    Good:

    ```yaml
    grants:
      - {principal: marketing-analysts, privileges: [USE_CATALOG], environments: [prod]}
    schemas:
      reporting:
        grants:
          - {principal: marketing-analysts, privileges: [USE_SCHEMA, SELECT], environments: [prod]}
    ```
    """

    code = "GOV207"
    name = "grants.ineffective"
    severity = Severity.WARNING
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        # A principal's path to a schema is the same for every table in it: look it up once.
        memo: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        for entry in ctx.entries:
            envs: list[str] = []
            missing: dict[str, list[str]] = {}  # privilege -> securables, in environment order
            for env, grant in entry.active:
                if grant.securable_type is SecurableType.CATALOG:
                    continue
                if "SELECT" not in grant.privileges and "MODIFY" not in grant.privileges:
                    continue
                parent = (
                    grant.securable
                    if grant.securable_type is SecurableType.SCHEMA
                    else grant.securable.rsplit(".", 1)[0]
                )
                key = (env.name, grant.principal, parent)
                lacks = memo.get(key)
                if lacks is None:
                    lacks = memo[key] = missing_prerequisites(grant, ctx.use_paths[env.name])
                if lacks:
                    envs.append(env.name)
                    for privilege, securable in lacks:
                        missing.setdefault(privilege, []).append(securable)
            if envs:
                yield Finding(
                    f"this grant does nothing for {entry.principal} in "
                    f"{environments_phrase(envs)}: it holds no {_describe(missing)}",
                    entry.file,
                    entry.key_path("principal"),
                    f"grant {entry.principal} "
                    + and_list([_WHERE[privilege] for privilege in missing]),
                    waivable_by=ctx.entry_holders(entry),
                )


class DuplicateGrant(Rule):
    """The same privilege granted twice to one principal on one securable.

    Two entries that grant the same privilege (in an environment they share) make a review
    harder and a revocation incomplete: removing one entry leaves the access in place.

    Bad (`manage` already includes every privilege of `read` in dev):

    ```yaml
    grants:
      - {principal: platform-engineers, access: read}
      - {principal: platform-engineers, access: manage, environments: [dev]}
    ```

    Good:

    ```yaml
    grants:
      - {principal: platform-engineers, access: read, environments: [staging, prod]}
      - {principal: platform-engineers, access: manage, environments: [dev]}
    ```
    """

    code = "GOV208"
    name = "grants.duplicate"
    severity = Severity.WARNING
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        # (environment, securable, principal) -> the entries that granted to it, with privileges.
        # Most keys see one entry; privileges are compared only when a key repeats.
        seen: dict[tuple[str, str, str], list[tuple[GrantEntry, tuple[str, ...]]]] = {}
        for entry in ctx.entries:
            envs: list[str] = []
            again: list[str] = []
            first: GrantEntry | None = None
            for env, grant in entry.active:
                earlier = seen.setdefault((env.name, grant.securable, grant.principal), [])
                for other, privileges in earlier:
                    for privilege in grant.privileges:
                        if privilege in privileges:
                            first = first or other
                            again += [privilege] if privilege not in again else []
                            envs += [env.name] if env.name not in envs else []
                earlier.append((entry, grant.privileges))
            if first is not None:
                yield Finding(
                    f"{and_list(again)} to {entry.principal} in {environments_phrase(envs)} "
                    f"already granted by {_dotted(first.path)}",
                    entry.file,
                    entry.key_path("principal"),
                    "merge the two entries, or narrow their environments so they do not overlap",
                    waivable_by=ctx.entry_holders(entry),
                )


class ExpiringSoon(Rule):
    """A grant that expires within 14 days.

    Time-boxed access should end on purpose: the requester renews it (a new date and reason,
    approved by the owner) or it lapses and the entry is removed.

    Bad (as of 2026-11-26):

    ```yaml
    - {principal: internal-audit, access: read, expires: 2026-12-01, reason: AUD-7}
    ```

    Good:

    ```yaml
    - {principal: internal-audit, access: read, expires: 2027-03-31, reason: AUD-7 extended}
    ```
    """

    code = "GOV209"
    name = "grants.expiring-soon"
    severity = Severity.WARNING
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        horizon = ctx.today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        for entry in ctx.entries:
            expires = entry.grant.expires
            if expires is None or not entry.active or not ctx.today <= expires <= horizon:
                continue
            days = (expires - ctx.today).days
            yield Finding(
                f"grant to {entry.principal} expires on {expires.isoformat()}, in {days} "
                f"day{'s' * (days != 1)}",
                entry.file,
                entry.key_path("expires"),
                "renew it with a new `expires:` and reason, or let it lapse and remove it",
                waivable_by=ctx.entry_holders(entry),
            )


class ExpiredGrant(Rule):
    """An expired grant still in the spec.

    govkit leaves an expired grant out of the desired state, so the next apply revokes it; the
    entry that stays behind reads as access to every reviewer. Remove it (or renew it): the
    weekly `govkit expire --write` pull request does. A warning, not an error: the grant is
    already out of the compiled output, and an error would turn every pull request of every
    team red until that pull request merges.

    Bad (as of 2026-11-26):

    ```yaml
    - {principal: internal-audit, access: read, expires: 2026-09-30, reason: AUD-2026-07}
    ```

    Good: the entry is gone, or renewed with a new date and reason.
    """

    code = "GOV210"
    name = "grants.expired"
    severity = Severity.WARNING
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for entry in ctx.entries:
            if entry.expired and entry.grant.expires is not None:
                envs = [env.name for env, _ in entry.expired]
                yield Finding(
                    f"grant to {entry.principal} expired on {entry.grant.expires.isoformat()} "
                    f"and is no longer applied in {environments_phrase(envs)}",
                    entry.file,
                    entry.key_path("expires"),
                    "remove the entry, or renew it with a new `expires:` and reason",
                    waivable_by=ctx.entry_holders(entry),
                )


class CrossDomainReason(Rule):
    """A grant across domains in a protected environment needs a `reason`.

    Access from another domain's team is an exception that its owner approved for a purpose;
    the `reason` (a ticket) is what an auditor reads. govkit knows a principal's domain from its
    name: `<domain>-…` for groups and `sp-<domain>-…` for service principals. Principals whose
    names name no domain (`execs`, `data-stewards`) are not cross-domain.

    Bad:

    ```yaml
    domain: finance
    schemas:
      reporting:
        grants:
          - {principal: marketing-analysts, privileges: [USE_SCHEMA, SELECT], environments: [prod]}
    ```

    Good:

    ```yaml
          - principal: marketing-analysts
            privileges: [USE_SCHEMA, SELECT]
            environments: [prod]
            reason: FIN-1234 campaign attribution needs revenue by channel
    ```
    """

    code = "GOV211"
    name = "grants.cross-domain-needs-reason"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for entry in ctx.entries:
            if entry.grant.reason.strip():
                continue
            home = ctx.home_domain(entry.principal)
            if home is None or home == entry.domain:
                continue
            envs = [env.name for env, _ in entry.active if env.protected]
            if envs:
                yield Finding(
                    f"{entry.principal} belongs to domain {home}; its grant on domain "
                    f"{entry.domain} in {environments_phrase(envs, protected=True)} needs "
                    "a `reason:`",
                    entry.file,
                    entry.path,
                    "add `reason:` naming the request that the owner approved",
                    waivable_by=ctx.entry_holders(entry),
                )


RULES: tuple[type[Rule], ...] = (
    IneffectiveGrant,
    DuplicateGrant,
    ExpiringSoon,
    ExpiredGrant,
    CrossDomainReason,
)
