"""Which principals a Databricks account knows, read through databricks-sdk (SCIM).

Unity Catalog grants only to account-level principals. Through a workspace, SCIM lists account
groups and workspace-local groups together; `meta.resourceType` tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccountPrincipals:
    """Account-level group display names and service principal application ids (lower case).

    None where that list could not be read; `errors` then says why.
    """

    groups: frozenset[str] | None
    service_principals: frozenset[str] | None
    errors: tuple[str, ...] = ()


def read_account_principals(client: Any) -> AccountPrincipals:
    """Groups and service principals through a WorkspaceClient; a failed list is an error."""
    from databricks.sdk.errors.base import DatabricksError

    errors: list[str] = []
    groups: frozenset[str] | None = None
    sps: frozenset[str] | None = None
    try:
        groups = frozenset(
            g.display_name
            for g in client.groups.list(attributes="displayName,meta")
            if g.display_name and (g.meta is None or g.meta.resource_type != "WorkspaceGroup")
        )
    except DatabricksError as exc:
        errors.append(f"account groups: {str(exc).splitlines()[0]}")
    try:
        sps = frozenset(
            s.application_id.lower()
            for s in client.service_principals.list(attributes="applicationId")
            if s.application_id
        )
    except DatabricksError as exc:
        errors.append(f"account service principals: {str(exc).splitlines()[0]}")
    return AccountPrincipals(groups, sps, tuple(errors))
