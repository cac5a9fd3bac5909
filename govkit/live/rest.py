"""Unity Catalog REST calls used by both readers: one request per call, pages to the end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govkit.live.resilience import ReadFailed, Retrier

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

UC = "/api/2.1/unity-catalog"


class Rest:
    """GETs through the SDK's API client, each under the Retrier."""

    def __init__(self, client: WorkspaceClient, retrier: Retrier) -> None:
        self.client = client
        self.retrier = retrier
        self.headers = {"Accept": "application/json"}
        workspace_id = client.config.workspace_id
        if workspace_id:
            self.headers["X-Databricks-Workspace-Id"] = str(workspace_id)

    def get(self, path: str, query: Mapping[str, Any] | None = None) -> dict[str, Any]:
        def once() -> dict[str, Any]:
            answer = self.client.api_client.do(
                "GET", path, query=dict(query or {}), headers=dict(self.headers)
            )
            return answer if isinstance(answer, dict) else {}

        return self.retrier.call(once)

    def pages(
        self, path: str, key: str, query: Mapping[str, Any] | None = None, *, uc: bool = True
    ) -> list[dict[str, Any]]:
        """Every item of a paged listing; a page may be empty and still carry a token.

        Unity Catalog pages only when asked to (`max_results=0`: the server's page size);
        other APIs (`uc=False`) page by their own parameters in `query`.
        """
        params: dict[str, Any] = {**(query or {}), **({"max_results": 0} if uc else {})}
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        while True:
            page = self.get(path, params)
            items.extend(x for x in page.get(key) or [] if isinstance(x, dict))
            token = page.get("next_page_token")
            if not token:
                return items
            if token in seen:
                raise ReadFailed(f"the server repeated page token {token[:12]}...")
            seen.add(token)
            params["page_token"] = token

    def catalogs(self) -> list[dict[str, Any]]:
        # include_unbound: isolated catalogs of other workspaces are governed here too.
        return self.pages(f"{UC}/catalogs", "catalogs", {"include_unbound": True})

    def schemas(self, catalog: str) -> list[dict[str, Any]]:
        return self.pages(f"{UC}/schemas", "schemas", {"catalog_name": catalog})

    def tables(self, catalog: str, schema: str) -> list[dict[str, Any]]:
        query = {
            "catalog_name": catalog,
            "schema_name": schema,
            "omit_columns": True,
            "omit_properties": True,
        }
        return self.pages(f"{UC}/tables", "tables", query)

    def volumes(self, catalog: str, schema: str) -> list[dict[str, Any]]:
        # databricks-sdk VolumesAPI.list: GET /volumes with catalog_name and schema_name.
        return self.pages(
            f"{UC}/volumes", "volumes", {"catalog_name": catalog, "schema_name": schema}
        )

    def storage_credentials(self) -> list[dict[str, Any]]:
        return self.pages(f"{UC}/storage-credentials", "storage_credentials")

    def external_locations(self) -> list[dict[str, Any]]:
        return self.pages(f"{UC}/external-locations", "external_locations")

    def grants(self, type: str, full_name: str) -> dict[str, list[str]]:
        """Direct grants on a securable: principal -> privileges (every page).

        Grants to principals deleted from the account since are asked for too
        (`include_deleted_principals`): Unity Catalog keeps them, named by `principal_id`
        alone (databricks-sdk `PrivilegeAssignment`). Such a grant has no name to compare, so
        the securable is unread (ReadFailed) rather than quietly short of a grant."""
        out: dict[str, list[str]] = {}
        path = f"{UC}/permissions/{type}/{full_name}"
        query = {"include_deleted_principals": "true"}
        for a in self.pages(path, "privilege_assignments", query):
            principal = a.get("principal")
            privileges = [str(p) for p in a.get("privileges") or []]
            if isinstance(principal, str) and principal:
                out.setdefault(principal, []).extend(privileges)
            elif a.get("principal_id") is not None:
                raise ReadFailed(
                    f"it holds a grant of {', '.join(privileges) or 'no privilege'} to the "
                    f"deleted principal with id {a['principal_id']}; hint: revoke it by id "
                    "(PATCH permissions with principal_id), then read again"
                )
        return out

    def bindings(self, type: str, name: str) -> tuple[list[int], list[int]]:
        """The workspaces bound to a securable, and those of them bound read-only."""
        bindings = self.pages(f"{UC}/bindings/{type}/{name}", "bindings")
        ids = sorted({int(b["workspace_id"]) for b in bindings if "workspace_id" in b})
        read_only = sorted(
            {
                int(b["workspace_id"])
                for b in bindings
                if "workspace_id" in b and b.get("binding_type") == "BINDING_TYPE_READ_ONLY"
            }
        )
        return ids, read_only
