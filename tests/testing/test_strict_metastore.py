"""The local metastore as strict as a real one: callers, workspaces, names, deleted principals.

Every call goes through the real databricks-sdk, as a reader or the provider would make it.
"""

from __future__ import annotations

from typing import Any

import pytest

from govkit.testing import UCServer
from govkit.testing.fixtures import ServerFactory
from govkit.testing.sample import DEPLOYER, sample_state


def _client(url: str, token: str) -> Any:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    config = Config(host=url, token=token, auth_type="pat", retry_timeout_seconds=5)
    return WorkspaceClient(config=config)


@pytest.fixture
def server(ucserver_factory: ServerFactory, databricks_env: None) -> UCServer:
    return ucserver_factory([sample_state()])


def _change(principal: str, privilege: str) -> Any:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    return PermissionsChange(principal=principal, add=[Privilege(privilege)])


def _names(items: Any) -> list[str]:
    return sorted(str(i.name) for i in items)


# -- callers -------------------------------------------------------------------------------


def test_a_user_lists_only_the_catalogs_it_owns_or_uses(server: UCServer) -> None:
    analyst = _client(server.url, server.add_caller("ann@example.com", groups=["domain0-analysts"]))
    stranger = _client(server.url, server.add_caller("sam@example.com"))
    admin = _client(server.url, server.token)
    assert _names(admin.catalogs.list()) == ["domain0_prod", "domain1_prod", "domain2_prod"]
    assert _names(analyst.catalogs.list()) == ["domain0_prod"]
    assert _names(stranger.catalogs.list()) == []


def test_browse_only_catalogs_list_with_include_browse(server: UCServer) -> None:
    admin = _client(server.url, server.token)
    change = _change("browsers", "BROWSE")
    admin.grants.update("catalog", "domain1_prod", changes=[change])
    user = _client(server.url, server.add_caller("bo@example.com", groups=["browsers"]))
    assert _names(user.catalogs.list()) == []
    [found] = list(user.catalogs.list(include_browse=True))
    assert (found.name, found.browse_only) == ("domain1_prod", True)


def test_bindings_need_an_owner_or_an_admin(server: UCServer) -> None:
    from databricks.sdk.errors import PermissionDenied

    analyst = _client(server.url, server.add_caller("ann@example.com", groups=["domain0-analysts"]))
    with pytest.raises(PermissionDenied, match="owner of Catalog 'domain0_prod'"):
        list(analyst.workspace_bindings.get_bindings("catalog", "domain0_prod"))
    owner = _client(server.url, server.add_caller(DEPLOYER, "service_principal"))
    bound = owner.workspace_bindings.get_bindings("catalog", "domain0_prod")
    assert sorted(b.workspace_id for b in bound) == [3001, 3002]


def test_changing_grants_needs_manage_or_ownership(server: UCServer) -> None:
    from databricks.sdk.errors import PermissionDenied

    change = _change("ann@example.com", "SELECT")
    analyst = _client(server.url, server.add_caller("ann@example.com", groups=["domain0-analysts"]))
    with pytest.raises(PermissionDenied) as raised:
        analyst.grants.update("catalog", "domain0_prod", changes=[change])
    assert raised.value.error_code == "PERMISSION_DENIED"
    assert "ann@example.com" not in server.store.objects[("catalog", "domain0_prod")].grants  # type: ignore[index]
    manager = _client(server.url, server.add_caller("max@example.com", groups=["stewards"]))
    admin = _client(server.url, server.token)
    grant = _change("stewards", "MANAGE")
    admin.grants.update("catalog", "domain0_prod", changes=[grant])
    manager.grants.update("table", "domain0_prod.schema0.table0", changes=[change])


def test_a_manage_holder_sees_only_its_own_grants_in_information_schema(server: UCServer) -> None:
    admin = _client(server.url, server.token)
    grant = _change("stewards", "MANAGE")
    admin.grants.update("catalog", "domain0_prod", changes=[grant])
    manager = _client(server.url, server.add_caller("max@example.com", groups=["stewards"]))
    sql = (
        "SELECT grantee, privilege_type FROM system.information_schema.catalog_privileges "
        "ORDER BY grantee, privilege_type"
    )
    rows = _rows(manager, sql)
    assert rows == [["stewards", "MANAGE"]]
    assert len(_rows(admin, sql)) == 16  # five grants on each sample catalog, and this one


def _rows(w: Any, sql: str, catalog: str | None = None) -> list[list[str]]:
    first = w.statement_execution.execute_statement(
        statement=sql, warehouse_id="wh1", catalog=catalog
    )
    done = w.statement_execution.get_statement(first.statement_id)
    if done.status.state.value == "FAILED":
        raise AssertionError(done.status.error.message)
    return list(done.result.data_array or []) if done.result else []


# -- workspaces ----------------------------------------------------------------------------


def test_an_isolated_catalog_is_out_of_reach_of_a_workspace_it_is_not_bound_to(
    server: UCServer,
) -> None:
    from databricks.sdk.errors import PermissionDenied

    elsewhere = _client(server.add_host(workspace_id=4001), server.token)
    bound = _client(server.add_host(workspace_id=3001), server.token)
    with pytest.raises(
        PermissionDenied, match="Catalog 'domain0_prod' is not accessible in current workspace"
    ):
        elsewhere.catalogs.get("domain0_prod")
    with pytest.raises(PermissionDenied, match="not accessible in current workspace"):
        list(elsewhere.schemas.list("domain0_prod"))
    assert _names(elsewhere.catalogs.list()) == []
    assert len(_names(elsewhere.catalogs.list(include_unbound=True))) == 3  # an admin's view
    assert bound.catalogs.get("domain0_prod").name == "domain0_prod"
    first = elsewhere.statement_execution.execute_statement(
        statement="SELECT 1", warehouse_id="wh1", catalog="domain0_prod"
    )
    status = elsewhere.statement_execution.get_statement(first.statement_id).status
    assert status.state.value == "FAILED"
    assert status.error.message.startswith("[INSUFFICIENT_PERMISSIONS] Catalog 'domain0_prod'")
    assert status.sql_state == "42501"
    sql = "SELECT catalog_name FROM system.information_schema.catalogs"
    assert _rows(elsewhere, sql) == []
    assert len(_rows(bound, sql)) == 3


def test_a_read_only_binding_refuses_writes(server: UCServer) -> None:
    from databricks.sdk.errors import PermissionDenied
    from databricks.sdk.service.catalog import WorkspaceBinding, WorkspaceBindingBindingType

    admin = _client(server.url, server.token)
    read_only = WorkspaceBinding(3001, WorkspaceBindingBindingType.BINDING_TYPE_READ_ONLY)
    admin.workspace_bindings.update_bindings("catalog", "domain0_prod", add=[read_only])
    w = _client(server.add_host(workspace_id=3001), server.token)
    assert len(_names(w.schemas.list("domain0_prod"))) == 4  # reading still works
    with pytest.raises(PermissionDenied, match="read-only"):
        w.schemas.create("new_schema", "domain0_prod")
    with pytest.raises(PermissionDenied, match="read-only"):
        w.grants.update("catalog", "domain0_prod", changes=[])


def test_isolated_credentials_list_elsewhere_only_with_include_unbound(server: UCServer) -> None:
    from databricks.sdk.service.catalog import AzureManagedIdentityRequest, IsolationMode

    admin = _client(server.url, server.token)
    identity = AzureManagedIdentityRequest(access_connector_id="/connectors/one")
    admin.storage_credentials.create("cred", azure_managed_identity=identity)
    admin.storage_credentials.update("cred", isolation_mode=IsolationMode.ISOLATION_MODE_ISOLATED)
    elsewhere = _client(server.add_host(workspace_id=4001), server.token)
    assert _names(elsewhere.storage_credentials.list()) == []
    assert _names(elsewhere.storage_credentials.list(include_unbound=True)) == ["cred"]
    stranger = _client(server.url, server.add_caller("sam@example.com"))
    assert _names(stranger.storage_credentials.list()) == []


# -- names and principals ------------------------------------------------------------------


def test_names_are_stored_in_lower_case(server: UCServer) -> None:
    admin = _client(server.url, server.token)
    assert admin.catalogs.create("Sales").name == "sales"
    assert admin.schemas.create("Orders", "SALES").full_name == "sales.orders"
    assert admin.catalogs.get("SaLeS").name == "sales"


def test_a_strict_metastore_has_the_databricks_maintained_catalogs(
    ucserver_factory: ServerFactory, databricks_env: None
) -> None:
    server = ucserver_factory([sample_state()], strict=True, workspace_id=3001)
    admin = _client(server.url, server.token)
    listed = {c.name: c.catalog_type.value for c in admin.catalogs.list()}
    assert listed["system"] == "SYSTEM_CATALOG"
    assert {"samples", "__databricks_internal", "domain0_prod"} <= set(listed)


def test_a_grant_to_a_deleted_principal_lists_only_on_request(server: UCServer) -> None:
    admin = _client(server.url, server.token)
    server.delete_principal("team0")
    path = "/api/2.1/unity-catalog/permissions/table/domain0_prod.schema0.table0"
    assert admin.api_client.do("GET", path) == {"privilege_assignments": []}
    found = admin.api_client.do("GET", path, query={"include_deleted_principals": "true"})
    [assignment] = found["privilege_assignments"]
    assert assignment == {"principal_id": "9000000000000001", "privileges": ["SELECT"]}


def test_a_bad_callers_file_stops_the_server_with_one_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from govkit.testing.ucserver import main

    bad = tmp_path / "callers.json"
    bad.write_text('[{"token": "t1", "name": "ann@example.com", "role": "owner"}]', "utf-8")
    assert main(["--port", "0", "--callers", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"govkit.testing.ucserver: {bad}: caller role must be one of")
    assert len(err.splitlines()) == 1
