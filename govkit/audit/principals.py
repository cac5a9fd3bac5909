"""Who a principal in a State is: its kind, its declared name, and whether it still exists."""

from __future__ import annotations

from typing import Literal

from govkit.access import ACCOUNT_USERS, AccessIndex, group_aliases
from govkit.audit.model import PrincipalKind
from govkit.identity.document import Identities
from govkit.spec.build import Spec

Standing = Literal["ok", "departed", "unknown"]
# Built-in groups that exist without being in any directory.
_BUILT_IN = frozenset({ACCOUNT_USERS, "users", "admins"})


def renamed_groups(spec: Spec, identities: Identities | None) -> dict[str, str]:
    """Declared group -> its display name in the identities, found by `entra_object_id`, for
    the groups renamed in Entra ID (Unity Catalog grants still name them the old way)."""
    return group_aliases(
        {name: group.entra_object_id for name, group in spec.groups.items()}, identities
    )


class Directory:
    """Principals as the spec declares them and the identities document knows them."""

    def __init__(self, spec: Spec, index: AccessIndex) -> None:
        self.index = index
        self.declared = spec.declared_names
        self.uc_names = spec.uc_names
        self._standing: dict[str, Standing] = {}

    def kind(self, uc_name: str) -> PrincipalKind:
        return self.index.principal_kind(uc_name)

    def disabled(self, uc_name: str) -> bool:
        """A person or service principal the identities know and mark as disabled."""
        ids = self.index.identities
        if ids is None:
            return False
        found = ids.user(uc_name) or ids.service_principal(uc_name)
        return found is not None and not found.enabled

    def label(self, uc_name: str) -> str | None:
        """The declared name where it differs from the Unity Catalog name."""
        declared = self.declared.get(uc_name)
        return declared if declared is not None and declared != uc_name else None

    def show(self, uc_name: str) -> str:
        label = self.label(uc_name)
        return f"{label} ({uc_name})" if label else uc_name

    def has_enabled_member(self, declared: str) -> bool | None:
        """Whether a declared owner (a group, a person) is, or holds, an enabled account;
        None without identities to tell."""
        if self.index.identities is None:
            return None
        uc_name = self.uc_names.get(declared, declared)
        return any(
            kind != "group" and not self.disabled(name)
            and (kind == "service_principal" or self.index.identities.user(name) is not None)
            for kind, name, _ in self.index.members(uc_name)
        )  # fmt: skip

    def standing(self, uc_name: str) -> Standing:
        """departed: a person the identities do not know or who is disabled; unknown: a group or
        service principal that neither the identities nor the spec name. Without identities,
        only the spec can vouch."""
        found = self._standing.get(uc_name)
        if found is None:
            found = self._standing[uc_name] = self._judge(uc_name)
        return found

    def _judge(self, uc_name: str) -> Standing:
        ids = self.index.identities
        if uc_name in _BUILT_IN:
            return "ok"
        kind = self.kind(uc_name)
        if ids is None:
            return "ok" if uc_name in self.declared or kind == "user" else "unknown"
        if kind == "user":
            user = ids.user(uc_name)
            return "ok" if user is not None and user.enabled else "departed"
        if kind == "service_principal":
            sp = ids.service_principal(uc_name)
            if sp is None:
                return "unknown"
            return "ok" if sp.enabled else "departed"
        return "ok" if self.index.group(uc_name) is not None else "unknown"
