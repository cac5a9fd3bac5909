"""Grant rules on who may hold which privilege (GOV201-GOV206).

One finding per `grants:` entry: an entry that applies to staging and prod and breaks a rule in
both gives one diagnostic naming both environments.
"""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Path, Severity
from govkit.policy.base import Finding, Rule, Scope, and_list, environments_phrase
from govkit.policy.context import BUILT_IN_GROUPS, Context, GrantEntry
from govkit.privileges import is_write
from govkit.resolve import DesiredEnvironment
from govkit.state import State

_PEOPLE = {"group": "a group of people", "user": "a person"}
# Name the privileges a reviewer fears first; the rest follow alphabetically.
_FIRST = ("ALL_PRIVILEGES", "MANAGE", "MODIFY")


def privilege_path(entry: GrantEntry, privilege: str) -> Path:
    """Point at the privilege in `privileges:`, or at `access:` when a level expanded to it."""
    listed = entry.grant.privileges or ()
    if privilege in listed:
        return (*entry.key_path("privileges"), listed.index(privilege))
    return entry.key_path("access")


def live_grants(state: State) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(securable type, securable, principal, privileges) of every direct grant of a State."""
    for s in state.securables:
        for principal, privileges in s.grants.items():
            yield s.type.value, s.name, principal, privileges


def short_list(items: list[str], limit: int = 3) -> str:
    if len(items) <= limit:
        return and_list(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def _held(entry: GrantEntry, privilege: str, protected: bool) -> list[str]:
    """The environments (protected or not) in which the entry grants `privilege`."""
    return [
        env.name
        for env, grant in entry.active
        if env.protected == protected and privilege in grant.privileges
    ]


def _writes(privileges: tuple[str, ...], cache: dict[tuple[str, ...], list[str]]) -> list[str]:
    # Resolution shares privilege tuples across grants: classify each distinct tuple once.
    found = cache.get(privileges)
    if found is None:
        found = cache[privileges] = [p for p in privileges if is_write(p)]
    return found


class ProtectedWritesByServicePrincipals(Rule):
    """In a protected environment people only read; writes go to service principals.

    Groups and users hold only read privileges (SELECT, USE_CATALOG, USE_SCHEMA, BROWSE,
    EXECUTE, READ_VOLUME) in a protected environment. Everything that changes data or metadata
    (MODIFY, CREATE_*, WRITE_VOLUME, REFRESH, APPLY_TAG, MANAGE, ALL_PRIVILEGES) belongs to a
    service principal declared for that environment, so that every change in production goes
    through reviewed code and a pipeline identity.

    Bad:

    ```yaml
    grants:
      - {principal: finance-engineers, access: write}   # includes prod
    ```

    Good:

    ```yaml
    grants:
      - {principal: finance-engineers, access: write, environments: [dev]}
      - {principal: finance-engineers, access: read, environments: [staging, prod]}
      - {principal: sp-finance-etl-prod, access: write, environments: [prod]}
    ```
    """

    code = "GOV201"
    name = "grants.protected-writes-by-service-principals"
    severity = Severity.ERROR
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        cache: dict[tuple[str, ...], list[str]] = {}
        for entry in ctx.entries:
            kind = ctx.kind(entry.principal)
            if kind not in _PEOPLE:
                continue
            envs: list[str] = []
            writes: list[str] = []
            for env, grant in entry.active:
                if not env.protected:
                    continue
                found = _writes(grant.privileges, cache)
                if found:
                    envs.append(env.name)
                    writes.extend(p for p in found if p not in writes)
            if envs:
                writes.sort(
                    key=lambda p: (p not in _FIRST, _FIRST.index(p) if p in _FIRST else 0, p)
                )
                yield Finding(
                    f"{entry.principal} is {_PEOPLE[kind]} and may not hold "
                    f"{short_list(writes)} in {environments_phrase(envs, protected=True)}",
                    entry.file,
                    privilege_path(entry, writes[0]),
                    "grant people `access: read` there, and writes to a service principal "
                    "declared for the environment",
                    waivable_by=ctx.entry_holders(entry),
                )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        if not env.protected:
            return
        cache: dict[tuple[str, ...], list[str]] = {}
        for type, name, principal, privileges in live_grants(state):
            kind = ctx.uc_kind(principal)
            writes = _writes(privileges, cache) if kind in _PEOPLE else []
            if writes:
                yield Finding(
                    f"{principal} is {_PEOPLE[kind]} and holds {short_list(writes)} on {type} "
                    f"{name} in protected environment {env.name}",
                    name,
                    (),
                    "revoke it; writes in a protected environment go to a service principal",
                )


class NoAllPrivilegesInProtected(Rule):
    """No ALL_PRIVILEGES in a protected environment.

    ALL_PRIVILEGES means every privilege that exists when it is checked, so it grows each time
    Databricks adds one: nobody reviewed what it grants tomorrow. Name the privileges.

    Bad:

    ```yaml
    - {principal: sp-finance-etl-prod, privileges: [ALL_PRIVILEGES], environments: [prod]}
    ```

    Good:

    ```yaml
    - {principal: sp-finance-etl-prod, access: write, environments: [prod]}
    ```
    """

    code = "GOV202"
    name = "grants.no-all-privileges-in-protected"
    severity = Severity.ERROR
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        for entry in ctx.entries:
            envs = _held(entry, "ALL_PRIVILEGES", protected=True)
            if envs:
                yield Finding(
                    f"ALL_PRIVILEGES to {entry.principal} in "
                    f"{environments_phrase(envs, protected=True)}",
                    entry.file,
                    privilege_path(entry, "ALL_PRIVILEGES"),
                    "list the privileges the principal needs, or use an access level",
                    waivable_by=ctx.entry_holders(entry),
                )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        yield from _all_privileges_live(state, env, ctx, protected=True)


class AllPrivileges(Rule):
    """ALL_PRIVILEGES outside protected environments.

    It grows as Databricks adds privileges, so what it grants is never reviewed. Outside
    protected environments it is a warning (GOV202 makes it an error in protected ones).

    Bad:

    ```yaml
    - {principal: sales-engineers, privileges: [ALL_PRIVILEGES], environments: [dev]}
    ```

    Good:

    ```yaml
    - {principal: sales-engineers, access: manage, environments: [dev]}
    ```
    """

    code = "GOV203"
    name = "grants.all-privileges"
    severity = Severity.WARNING
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        for entry in ctx.entries:
            if _held(entry, "ALL_PRIVILEGES", protected=True):
                continue  # GOV202 reports it
            envs = _held(entry, "ALL_PRIVILEGES", protected=False)
            if envs:
                yield Finding(
                    f"ALL_PRIVILEGES to {entry.principal} in {environments_phrase(envs)} grows "
                    "with every privilege Databricks adds",
                    entry.file,
                    privilege_path(entry, "ALL_PRIVILEGES"),
                    "list the privileges the principal needs, or use an access level",
                    waivable_by=ctx.entry_holders(entry),
                )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        yield from _all_privileges_live(state, env, ctx, protected=False)


def _all_privileges_live(
    state: State, env: DesiredEnvironment, ctx: Context, protected: bool
) -> Iterator[Finding]:
    if env.protected != protected:
        return
    for type, name, principal, privileges in live_grants(state):
        if "ALL_PRIVILEGES" in privileges:
            yield Finding(
                f"ALL_PRIVILEGES to {ctx.label(principal)} on {type} {name} in "
                f"{environments_phrase([env.name], protected=protected)}",
                name,
                (),
                "list the privileges the principal needs, or use an access level",
            )


class NoBuiltInGroupsInProtected(Rule):
    """No grants to the built-in `account users` or `users` in a protected environment.

    `account users` is everyone in the Databricks account, including every contractor and every
    workspace's users; a grant to it in production is a grant to the whole company. `users` is a
    workspace-local group that Unity Catalog cannot grant to at all.

    Bad:

    ```yaml
    - {principal: account users, access: read, environments: [prod]}
    ```

    Good:

    ```yaml
    - {principal: finance-analysts, access: read, environments: [prod]}
    ```
    """

    code = "GOV204"
    name = "grants.no-account-users-in-protected"
    severity = Severity.ERROR
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        for entry in ctx.entries:
            if entry.principal.lower() not in BUILT_IN_GROUPS:
                continue
            envs = [env.name for env, _ in entry.active if env.protected]
            if envs:
                yield Finding(
                    f"a grant to the built-in group {entry.principal!r} in "
                    f"{environments_phrase(envs, protected=True)} reaches everyone",
                    entry.file,
                    entry.key_path("principal"),
                    "grant to the groups that need the data",
                    waivable_by=ctx.entry_holders(entry),
                )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        if not env.protected:
            return
        for type, name, principal, _ in live_grants(state):
            if principal.lower() in BUILT_IN_GROUPS:
                yield Finding(
                    f"a grant to the built-in group {principal!r} on {type} {name} in protected "
                    f"environment {env.name} reaches everyone",
                    name,
                    (),
                    "grant to the groups that need the data",
                )


class _UserGrants(Rule):
    protected: bool

    def check(self, ctx: Context) -> Iterator[Finding]:
        for entry in ctx.entries:
            if ctx.kind(entry.principal) != "user" or not entry.active:
                continue
            protected = [env.name for env, _ in entry.active if env.protected]
            if bool(protected) != self.protected:
                continue
            envs = protected or [env.name for env, _ in entry.active]
            yield Finding(
                f"grant to individual user {entry.principal} in "
                f"{environments_phrase(envs, protected=self.protected)}",
                entry.file,
                entry.key_path("principal"),
                "grant to a group and manage membership in Entra ID",
                waivable_by=ctx.entry_holders(entry),
            )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        if env.protected != self.protected:
            return
        for type, name, principal, _ in live_grants(state):
            if ctx.uc_kind(principal) == "user":
                yield Finding(
                    f"grant to individual user {principal} on {type} {name} in "
                    f"{environments_phrase([env.name], protected=self.protected)}",
                    name,
                    (),
                    "grant to a group and manage membership in Entra ID",
                )


class UserGrants(_UserGrants):
    """Grants to individual users, outside protected environments.

    Access granted to a person is invisible in group reviews and outlives the person's role.
    Grant to a group and manage membership in Entra ID. A warning outside protected
    environments; GOV206 makes it an error in protected ones.

    Bad:

    ```yaml
    - {principal: ada@example.com, access: read, environments: [dev]}
    ```

    Good:

    ```yaml
    - {principal: sales-analysts, access: read, environments: [dev]}
    ```
    """

    code = "GOV205"
    name = "grants.user-grants"
    severity = Severity.WARNING
    scope = Scope.STATE
    protected = False


class UserGrantsInProtected(_UserGrants):
    """No grants to individual users in a protected environment.

    In production every access is to a group, so that access reviews look at groups and a
    leaver loses access by leaving the group.

    Bad:

    ```yaml
    - {principal: ada@example.com, access: read, environments: [prod]}
    ```

    Good:

    ```yaml
    - {principal: sales-analysts, access: read, environments: [prod]}
    ```
    """

    code = "GOV206"
    name = "grants.user-grants-in-protected"
    severity = Severity.ERROR
    scope = Scope.STATE
    protected = True


RULES: tuple[type[Rule], ...] = (
    ProtectedWritesByServicePrincipals,
    NoAllPrivilegesInProtected,
    AllPrivileges,
    NoBuiltInGroupsInProtected,
    UserGrants,
    UserGrantsInProtected,
)
