"""Which principals a Databricks account knows, read through databricks-sdk (SCIM).

Unity Catalog grants only to account-level principals. Given an account host with its account
id (what a platform team uses for identity checks), the account's own SCIM lists are read;
given a workspace, its SCIM lists account groups and workspace-local groups together, and
`meta.resourceType` (`Group` or `WorkspaceGroup`) tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Small pages, so that a large account is read in many bounded answers; the SDK follows
# `startIndex` to the end and raises if any page fails, so a list is whole or absent.
PAGE_SIZE = 1000


@dataclass(frozen=True)
class AccountPrincipals:
    """Account-level group display names and service principal application ids (lower case).

    None where that list could not be read; `errors` then says why.
    """

    groups: frozenset[str] | None
    service_principals: frozenset[str] | None
    errors: tuple[str, ...] = ()


def read_account_principals(client: Any) -> AccountPrincipals:
    """Groups and service principals of the account (or, through a workspace, the account
    groups it sees); a list that fails on any page is an error, never a shorter list."""
    from databricks.sdk.errors.base import DatabricksError

    api, where = _scim_client(client)
    errors: list[str] = []
    groups: frozenset[str] | None = None
    sps: frozenset[str] | None = None
    try:
        groups = frozenset(
            g.display_name
            for g in api.groups.list(attributes="id,displayName,meta", count=PAGE_SIZE)
            if g.display_name and (g.meta is None or g.meta.resource_type != "WorkspaceGroup")
        )
    except DatabricksError as exc:
        errors.append(f"account groups ({where}): {_first_line(exc)}")
    try:
        sps = frozenset(
            s.application_id.lower()
            for s in api.service_principals.list(attributes="id,applicationId", count=PAGE_SIZE)
            if s.application_id
        )
    except DatabricksError as exc:
        errors.append(f"account service principals ({where}): {_first_line(exc)}")
    return AccountPrincipals(groups, sps, tuple(errors))


def _scim_client(client: Any) -> tuple[Any, str]:
    """An AccountClient on an account host (its account id known, no workspace), else the
    WorkspaceClient itself; and where the lists are read, for messages."""
    from databricks.sdk import AccountClient

    config = client.config
    if config.account_id and (config.is_account_client or not config.workspace_id):
        return AccountClient(config=config), f"account {config.account_id} at {config.host}"
    return client, f"workspace {config.host}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
