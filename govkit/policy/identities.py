"""Identity rules (GOV4xx): principals are named as Databricks and Entra ID name them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, Rule, Scope
from govkit.policy.context import Context

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Entra ID display names are at most 256 characters.
MAX_DISPLAY_NAME = 256
WORKSPACE_LOCAL = frozenset({"users", "admins"})


class ApplicationIdIsUuid(Rule):
    """A service principal's `application_id` is a UUID.

    Unity Catalog names a service principal by its application id in every grant and as owner;
    anything else is a name the metastore will not find, and the apply fails in production.

    Bad:

    ```yaml
    sp-finance-etl-prod: {application_id: sp-finance-etl-prod}
    ```

    Good:

    ```yaml
    sp-finance-etl-prod: {application_id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}
    ```
    """

    code = "GOV401"
    name = "identities.application-id-is-uuid"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name, sp in ctx.spec.service_principals.items():
            if not UUID.match(sp.application_id):
                declared = ctx.spec.principals[name]
                yield Finding(
                    f"application_id {sp.application_id!r} of {name} is not a UUID",
                    declared.file,
                    (*declared.path, "application_id"),
                    "copy the Application (client) ID from Entra ID or the account console",
                    waivable_by=ctx.principal_holder(name),
                )


class EntraObjectIdIsUuid(Rule):
    """A group's `entra_object_id` is a UUID.

    The object id is how govkit finds the group in Entra ID for membership audits; a display
    name or a typo there breaks the audit of who can read what.

    Bad:

    ```yaml
    finance-owners: {entra_object_id: finance-owners}
    ```

    Good:

    ```yaml
    finance-owners: {entra_object_id: 0b9c2f6e-7a1d-4e3b-8c5f-2d4a6b8c0e1f}
    ```
    """

    code = "GOV402"
    name = "identities.entra-object-id-is-uuid"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name, group in ctx.spec.groups.items():
            oid = group.entra_object_id
            if oid is not None and not UUID.match(oid):
                declared = ctx.spec.principals[name]
                yield Finding(
                    f"entra_object_id {oid!r} of group {name} is not a UUID",
                    declared.file,
                    (*declared.path, "entra_object_id"),
                    "copy the group's Object ID from Entra ID",
                    waivable_by=ctx.principal_holder(name),
                )


class DisplayName(Rule):
    """Group and service principal names follow Databricks' rules for account principals.

    A group's key is its display name in Entra ID and Unity Catalog. Entra display names may
    hold spaces and hyphens (`Finance Analysts - EMEA` is valid), but not control characters or
    leading or trailing spaces (which no one can see in a review), and are at most 256
    characters. `users` and `admins` are workspace-local groups: Unity Catalog cannot grant to
    them.

    Bad:

    ```yaml
    groups:
      "finance-analysts ": {}
      admins: {}
    ```

    Good:

    ```yaml
    groups:
      Finance Analysts - EMEA: {}
      metastore-admins: {}
    ```
    """

    code = "GOV403"
    name = "identities.display-name"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name, declared in ctx.spec.principals.items():
            if declared.kind == "user":
                continue
            problem = _name_problem(name, declared.kind == "group")
            if problem:
                yield Finding(
                    f"{declared.kind.replace('_', ' ')} name {name!r} {problem}",
                    declared.file,
                    declared.path,
                    "use the display name exactly as Entra ID shows it",
                    at_key=True,
                    waivable_by=ctx.principal_holder(name),
                )


def _name_problem(name: str, group: bool) -> str:
    if not name.strip():
        return "is empty"
    if name != name.strip():
        return "has leading or trailing spaces"
    if CONTROL.search(name):
        return "has a control character"
    if len(name) > MAX_DISPLAY_NAME:
        return f"is longer than {MAX_DISPLAY_NAME} characters"
    if group and name.lower() in WORKSPACE_LOCAL:
        return "is a workspace-local group that Unity Catalog cannot grant to"
    return ""


class UserIsEmail(Rule):
    """A user's key is the e-mail address Unity Catalog knows the user by.

    Grants and ownership name a user by e-mail; a display name is not found by the metastore.

    Bad:

    ```yaml
    users:
      Ada Lovelace: {}
    ```

    Good:

    ```yaml
    users:
      ada.lovelace@meridian.example: {}
    ```
    """

    code = "GOV404"
    name = "identities.user-is-email"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name in ctx.spec.users:
            if not EMAIL.match(name):
                declared = ctx.spec.principals[name]
                yield Finding(
                    f"user {name!r} is not an e-mail address",
                    declared.file,
                    declared.path,
                    "declare users by the e-mail address they sign in with",
                    at_key=True,
                    waivable_by=ctx.principal_holder(name),
                )


class UniqueIds(Rule):
    """Two principals do not share an application id or an Entra object id.

    Two declarations of one identity give it two names in the spec, so a review of one misses
    the grants of the other, and drift sees one principal where the spec has two.

    Bad:

    ```yaml
    service_principals:
      sp-etl: {application_id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}
      sp-etl-old: {application_id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}
    ```

    Good:

    ```yaml
    service_principals:
      sp-etl: {application_id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}
    ```
    """

    code = "GOV405"
    name = "identities.unique-ids"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        ids: list[tuple[str, str, str | None]] = [
            *(
                (n, "application_id", s.application_id)
                for n, s in ctx.spec.service_principals.items()
            ),
            *((n, "entra_object_id", g.entra_object_id) for n, g in ctx.spec.groups.items()),
        ]
        seen: dict[tuple[str, str], str] = {}
        for name, key, value in ids:
            if value is None:
                continue
            first = seen.setdefault((key, value.lower()), name)
            if first != name:
                declared = ctx.spec.principals[name]
                yield Finding(
                    f"{name} has the {key} of {first}",
                    declared.file,
                    (*declared.path, key),
                    "declare each identity once",
                    waivable_by=ctx.principal_holder(name),
                )


RULES: tuple[type[Rule], ...] = (
    ApplicationIdIsUuid,
    EntraObjectIdIsUuid,
    DisplayName,
    UserIsEmail,
    UniqueIds,
)
