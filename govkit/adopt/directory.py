"""Where an import learns who is who: an identities document, or SCIM through databricks-sdk.

The SCIM reader is an edge: it imports databricks-sdk only when it runs. A SCIM read that fails
is an error, never an empty directory: an empty one would silently classify by shape alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from govkit.adopt.principals import Directory, Known, PrincipalKind
from govkit.identity.document import Identities

if TYPE_CHECKING:
    from databricks.sdk import AccountClient, WorkspaceClient


class DirectoryError(Exception):
    """The directory could not be read; the message is one line."""


def from_identities(doc: Identities, name: str) -> Directory:
    """Everyone an identities document names; a complete document lists every account group."""
    known: dict[str, Known] = {g.display_name: Known("group") for g in doc.groups}
    known.update({u.name: Known("user", u.display_name, None, u.enabled) for u in doc.users})
    known.update(
        {
            s.application_id: Known("service_principal", s.display_name, None, s.enabled)
            for s in doc.service_principals
        }
    )
    lists: frozenset[PrincipalKind] = (
        frozenset({"group", "user", "service_principal"}) if doc.complete else frozenset()
    )
    return Directory(f"the identities document {name}", known, lists)


def from_scim(client: WorkspaceClient) -> Directory:
    """The workspace's service principals through SCIM (every page), by application id."""
    from databricks.sdk.errors.base import DatabricksError

    known: dict[str, Known] = {}
    try:
        for sp in client.service_principals.list():
            if sp.application_id:
                known[sp.application_id] = Known(
                    "service_principal", sp.display_name, sp.id, sp.active is not False
                )
    except (DatabricksError, OSError) as exc:
        raise DirectoryError(f"could not list service principals through SCIM: {exc}") from None
    return Directory("SCIM", known, frozenset({"service_principal"}))


def from_account(client: AccountClient, workspaces: tuple[int, ...]) -> Directory:
    """The account's service principals (account SCIM ids) and their assignments to
    `workspaces`, for the import blocks of the account-level stacks."""
    from databricks.sdk.errors.base import DatabricksError

    assigned: dict[str, set[int]] = {}
    known: dict[str, Known] = {}
    try:
        for sp in client.service_principals.list():
            if sp.application_id:
                known[sp.application_id] = Known(
                    "service_principal", sp.display_name, sp.id, sp.active is not False
                )
        for ws in workspaces:
            for a in client.workspace_assignment.list(workspace_id=ws):
                app = a.principal.service_principal_name if a.principal else None
                if app:
                    assigned.setdefault(app, set()).add(ws)
    except (DatabricksError, OSError) as exc:
        raise DirectoryError(f"could not read the account: {exc}") from None
    known = {
        app: replace(k, assigned=tuple(sorted(assigned.get(app, ())))) for app, k in known.items()
    }
    return Directory("the account", known, frozenset({"service_principal"}))


def with_scim_ids(directory: Directory, scim: Directory) -> Directory:
    """`directory`, with the SCIM ids and assignments (for import blocks) that `scim` knows."""
    known = dict(directory.known)
    for name, found in scim.known.items():
        mine = known.get(name)
        known[name] = (
            found if mine is None else replace(mine, scim_id=found.scim_id, assigned=found.assigned)
        )
    return replace(directory, known=known)
