"""Directory rules on principals: applications exist, owners and grantees are current."""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, and_list
from govkit.policy.directory import DirectoryContext, DirectoryRule, at


class ApplicationExists(DirectoryRule):
    """A declared service principal's application exists in Entra ID.

    A service principal whose application was deleted cannot sign in: its pipelines fail, and
    its grants are left for whoever registers that id next.

    Bad (no application 3e4f5a6b-... in Entra ID):

    ```yaml
    sp-marketing-etl-prod: {application_id: 3e4f5a6b-7c8d-4e9f-8a0b-2c3d4e5f6a7b}
    ```

    Good: the Application (client) ID of an existing app registration, or no declaration.
    """

    code = "GOV410"
    name = "identities.application-exists"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        for name, sp in dc.ctx.spec.service_principals.items():
            if dc.doc.service_principal(sp.application_id) is None:
                yield at(
                    dc,
                    name,
                    "application_id",
                    f"service principal {name}: application {sp.application_id} does not "
                    f"exist in {dc.source}",
                    "register the application, or remove the service principal",
                )


class ActivePrincipal(DirectoryRule):
    """An owner or grantee is an enabled account in Entra ID.

    A person who left keeps every grant in Unity Catalog until someone removes it; an account
    that no longer exists cannot be reviewed at all. Both are the first thing an access review
    asks about.

    Bad (and `ada@meridian.example` is disabled in Entra ID):

    ```yaml
    schemas:
      reporting: {owner: ada@meridian.example}
    ```

    Good:

    ```yaml
    schemas:
      reporting: {owner: finance-owners}
    ```
    """

    code = "GOV411"
    name = "identities.active-principal"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        owned, grantees = dc.owned(), dc.grantees()
        spec = dc.ctx.spec
        used = sorted((set(owned) | grantees) & (set(spec.users) | set(spec.service_principals)))
        for name in used:
            role = "owns " + and_list(owned[name]) if name in owned else "holds grants"
            if name in spec.users:
                user = dc.doc.user(name)
                state = (
                    "does not exist" if user is None else "is disabled" if not user.enabled else ""
                )
                kind = "user"
            else:
                sp = dc.doc.service_principal(spec.service_principals[name].application_id)
                state = "" if sp is None or sp.enabled else "is disabled"  # absent: GOV410
                kind = "service principal"
            if state:
                yield at(
                    dc,
                    name,
                    None,
                    f"{kind} {name} {role} but {state} in {dc.source}",
                    "hand the ownership or the grants to a group of current people",
                )


class OwnerHasMembers(DirectoryRule):
    """An owner group has at least one enabled member.

    The domain owner approves access requests and answers to auditors. A group whose members
    are all disabled (or that has none) means the accountable owner has left, and requests
    wait for nobody.

    Bad (in the identities document; hannah.berg has left):

    ```yaml
    groups:
      - {display_name: risk-owners, members: ["user:hannah.berg@meridian.example"]}
    users:
      - {name: hannah.berg@meridian.example, enabled: false}
    ```

    Good: `risk-owners` holds the current head of risk data.
    """

    code = "GOV412"
    name = "identities.owner-has-members"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        from govkit.identity.document import expand_group  # at run time: see directory.py

        for name, what in sorted(dc.owned().items()):
            group = dc.found(name) if name in dc.groups else None
            if group is None:
                continue  # not a group, or missing (GOV406-GOV409)
            users = [m.name for m in expand_group(dc.doc, group.display_name) if m.kind == "user"]
            enabled = [u for u in users if (found := dc.doc.user(u)) is None or found.enabled]
            if not enabled:
                people = (
                    "it has no members"
                    if not users
                    else "its one member is disabled"
                    if len(users) == 1
                    else f"all {len(users)} members are disabled"
                )
                yield at(
                    dc,
                    name,
                    None,
                    f"owner group {name} owns {and_list(what)} but {people} in {dc.source}",
                    "add the current accountable owner to the group",
                )


class DirectoryComplete(DirectoryRule):
    """The identities document was read completely.

    A check on partial data is no check: a group whose members could not be read looks empty,
    and an owner who could not be read looks absent. Read it again (`govkit identities pull`).

    Bad:

    ```yaml
    complete: false
    errors:
      - {item: members of group risk-owners, message: HTTP 500 generalException}
    ```

    Good: `complete: true` and no errors.
    """

    code = "GOV415"
    name = "identities.directory-complete"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        if not dc.doc.complete and not dc.doc.errors:
            yield Finding(f"{dc.source} is incomplete", dc.source, (), "read it again")
        for error in dc.doc.errors:
            yield Finding(
                f"could not read {error.item}: {error.message}",
                dc.source,
                (),
                "read it again once Graph answers",
            )


class AccountPrincipal(DirectoryRule):
    """Each declared group and service principal is an account-level principal in Databricks.

    Unity Catalog grants only to account-level principals; a workspace-local group of the same
    name cannot hold a grant, and the apply fails (or, for a group, grants to a name nobody is
    in). Checked when `govkit identities check` can reach the Databricks account or workspace.

    Bad (and the account has no group `finance-analysts`, only a workspace-local one):

    ```yaml
    groups:
      finance-analysts: {entra_object_id: 3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a}
    ```

    Good: the group is assigned to the account (or synchronised by SCIM provisioning).
    """

    code = "GOV416"
    name = "identities.account-principal"
    severity = Severity.ERROR

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        account = dc.account
        if account is None:
            return
        for error in account.errors:
            yield Finding(
                f"could not read {error}",
                "databricks",
                (),
                "check DATABRICKS_HOST and the token's rights",
            )
        spec = dc.ctx.spec
        groups = account.groups if account.groups is not None else frozenset(dc.groups)
        for name in sorted(dc.groups):
            if name not in groups:
                yield at(
                    dc,
                    name,
                    None,
                    f"group {name} is not an account-level group in Databricks",
                    "assign the group to the Databricks account",
                )
        for name, sp in sorted(spec.service_principals.items()):
            ids = account.service_principals
            if ids is not None and sp.application_id.lower() not in ids:
                yield at(
                    dc,
                    name,
                    "application_id",
                    f"service principal {name} is not an account-level principal in Databricks",
                    "add it to the Databricks account",
                )


RULES: tuple[type[DirectoryRule], ...] = (
    ApplicationExists,
    ActivePrincipal,
    OwnerHasMembers,
    DirectoryComplete,
    AccountPrincipal,
)
