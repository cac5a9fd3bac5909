"""Directory rules (GOV406-GOV416): the spec checked against Entra ID, by `govkit identities check`.

These rules need an identities document (read from Microsoft Graph or written by hand), so
`govkit validate` does not run them; `directory_check.check_directory` does, with the same
severities and waivers. The rules are in `directory_groups` (groups) and `directory_principals`
(people, applications, the account); this module holds what they share.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from govkit.policy.base import Finding, Rule, Scope
from govkit.policy.context import BUILT_IN_GROUPS, Context

if TYPE_CHECKING:
    # Types only: `govkit validate` imports the directory rules (for their codes) but never runs
    # them, and must start fast: the identities document's models load when a rule runs.
    from govkit.identity.account import AccountPrincipals
    from govkit.identity.document import Group, Identities


class DirectoryContext:
    """A rule's inputs: the spec's context, the identities document, the account (if read)."""

    def __init__(
        self, ctx: Context, doc: Identities, source: str, account: AccountPrincipals | None
    ) -> None:
        self.ctx, self.doc, self.source, self.account = ctx, doc, source, account
        # Databricks' built-in groups (`account users`) are not in Entra ID.
        self.groups = {
            name: g for name, g in ctx.spec.groups.items() if name.lower() not in BUILT_IN_GROUPS
        }
        self.by_name: dict[str, list[Group]] = {}
        self.by_id: dict[str, Group] = {}
        for group in doc.groups:
            self.by_name.setdefault(group.display_name, []).append(group)
            if group.id:
                self.by_id[group.id.lower()] = group

    def found(self, name: str) -> Group | None:
        """The Entra ID group a declared group is: by object id, else by its one display name."""
        oid = self.groups[name].entra_object_id
        if oid and oid.lower() in self.by_id:
            return self.by_id[oid.lower()]
        named = self.by_name.get(name, [])
        return named[0] if len(named) == 1 else None

    def owned(self) -> dict[str, list[str]]:
        """Declared principal -> what it owns (`domain finance`, `schema finance.raw`)."""
        out: dict[str, list[str]] = {}
        for doc in self.ctx.spec.domains:
            domain = doc.domain
            if domain.owner:
                out.setdefault(domain.owner, []).append(f"domain {domain.domain}")
            for s_name, schema in domain.schemas.items():
                if schema.owner:
                    out.setdefault(schema.owner, []).append(f"schema {domain.domain}.{s_name}")
                for t_name, table in schema.tables.items():
                    if table.owner:
                        what = f"table {domain.domain}.{s_name}.{t_name}"
                        out.setdefault(table.owner, []).append(what)
                for v_name, volume in schema.volumes.items():
                    if volume.owner:
                        what = f"volume {domain.domain}.{s_name}.{v_name}"
                        out.setdefault(volume.owner, []).append(what)
        return out

    def grantees(self) -> set[str]:
        return {e.principal for e in self.ctx.entries if e.active}


class DirectoryRule(Rule):
    """A rule that needs the directory: nothing to find in `govkit validate`."""

    scope = Scope.IDENTITIES

    def check(self, ctx: Context) -> Iterator[Finding]:
        return iter(())

    def check_directory(self, dc: DirectoryContext) -> Iterator[Finding]:
        raise NotImplementedError


def at(dc: DirectoryContext, name: str, key: str | None, message: str, hint: str) -> Finding:
    declared = dc.ctx.spec.principals[name]
    path = (*declared.path, key) if key else declared.path
    return Finding(
        message,
        declared.file,
        path,
        hint,
        at_key=key is None,
        waivable_by=dc.ctx.principal_holder(name),
    )
