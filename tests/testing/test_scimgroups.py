"""SCIM Groups on the local server, as databricks-sdk reads them from a workspace and an account."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from govkit.privileges import SecurableType
from govkit.state import make_securable, make_state
from govkit.testing import UCServer
from govkit.testing.fixtures import ServerFactory
from govkit.testing.scimgroups import WORKSPACE_GROUPS, seed_groups


@pytest.fixture
def server(ucserver_factory: ServerFactory, databricks_env: None) -> UCServer:
    server = ucserver_factory()
    state = make_state(
        "file",
        [
            make_securable(SecurableType.CATALOG, "finance", "finance-owners",
                           {"finance-analysts": ["USE CATALOG"], "ann@example.com": ["BROWSE"]}),
        ],
    )  # fmt: skip
    seed_groups(server.store, ["execs"], states=[state], workspace_local=["ws-admins"])
    return server


def _config(host: str, server: UCServer, **kwargs: Any) -> Any:
    from databricks.sdk.core import Config

    return Config(host=host, token=server.token, auth_type="pat", retry_timeout_seconds=5,
                  **kwargs)  # fmt: skip


def test_workspace_lists_account_and_local_groups_page_by_page(server: UCServer) -> None:
    from databricks.sdk import WorkspaceClient

    w = WorkspaceClient(config=_config(server.url, server))
    groups = {g.display_name: g.meta.resource_type for g in w.groups.list(count=1)}
    # Seeded from the State's grantees and owner (not the user), the list and one local group.
    assert groups == {
        "execs": "Group", "finance-analysts": "Group", "finance-owners": "Group",
        "ws-admins": "WorkspaceGroup",
    }  # fmt: skip
    pages = [s for s in server.requests if s.target.startswith(WORKSPACE_GROUPS)]
    assert len(pages) == 5  # four pages of one, then the empty page that ends the list


def test_account_lists_only_account_groups(server: UCServer) -> None:
    from databricks.sdk import AccountClient

    host = server.add_host("account")
    a = AccountClient(config=_config(host, server))
    assert a.config.account_id == server.store.account_id  # from the host's metadata
    names = sorted(g.display_name for g in a.groups.list(attributes="displayName"))
    assert names == ["execs", "finance-analysts", "finance-owners"]
    found = list(a.groups.list(filter='displayName eq "execs"'))
    assert [g.display_name for g in found] == ["execs"]


def test_attributes_filter_and_errors_on_the_wire(server: UCServer) -> None:
    headers = {"Authorization": f"Bearer {server.token}"}
    url = server.url + WORKSPACE_GROUPS
    query = {"filter": 'displayName eq "ws-admins"', "attributes": "displayName"}
    body = requests.get(url, params=query, headers=headers).json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert body["totalResults"] == 1 and body["itemsPerPage"] == 1
    (group,) = body["Resources"]
    assert group == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": group["id"],
        "displayName": "ws-admins",
    }
    bad = requests.get(url, params={"filter": "displayName co x"}, headers=headers)
    assert bad.status_code == 400
    assert bad.json()["scimType"] == "invalidFilter" and bad.json()["status"] == "400"
    missing = requests.get(f"{url}/404", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Group with id 404 not found."


def test_account_does_not_serve_a_workspace_local_group(server: UCServer) -> None:
    from databricks.sdk import AccountClient
    from databricks.sdk.errors import NotFound

    local = next(g["id"] for g in server.store.groups.values() if g["workspaceLocal"])
    a = AccountClient(config=_config(server.add_host("account"), server))
    with pytest.raises(NotFound):
        a.groups.get(local)
