"""The calls the Terraform provider makes (see the provider wire reference), through the SDK."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from databricks.sdk.errors import platform

from govkit.privileges import SecurableType
from govkit.state import dumps
from govkit.testing import UCServer
from govkit.testing.sample import sample_state

UC = "/api/2.1/unity-catalog"


def test_catalog_lifecycle_as_the_provider_runs_it(w: Any, server: UCServer) -> None:
    from databricks.sdk.service.catalog import CatalogIsolationMode

    created = w.catalogs.create("sales_dev", comment="Sales", storage_root=None)
    assert created.name == "sales_dev" and created.comment == "Sales"
    # Every new catalog gets a `default` schema, which the provider deletes at once.
    w.api_client.do("DELETE", f"{UC}/schemas/sales_dev.default")
    w.catalogs.update("sales_dev", owner="sales-owners")
    w.catalogs.update("sales_dev", isolation_mode=CatalogIsolationMode.ISOLATED)
    assignment = w.api_client.do("GET", f"{UC}/current-metastore-assignment")
    workspace = assignment["workspace_id"]
    add = {"add": [{"binding_type": "BINDING_TYPE_READ_WRITE", "workspace_id": workspace}]}
    w.api_client.do("PATCH", f"{UC}/bindings/catalog/sales_dev", body=add)
    got = w.catalogs.get("sales_dev")
    assert (got.owner, got.isolation_mode.value) == ("sales-owners", "ISOLATED")
    assert got.metastore_id == assignment["metastore_id"]  # validateMetastoreId relies on it
    assert [b.workspace_id for b in w.workspace_bindings.get_bindings("catalog", "sales_dev")] == [
        workspace
    ]
    assert server.store.audit[-1]["action_name"] == "updateCatalog"
    w.api_client.do(
        "PATCH", f"{UC}/workspace-bindings/catalogs/sales_dev", body={"assign_workspaces": [7]}
    )
    w.catalogs.delete("sales_dev", force=True)
    with pytest.raises(platform.NotFound):
        w.catalogs.get("sales_dev")


def test_schema_create_needs_its_catalog_and_echoes_full_name(w: Any) -> None:
    schema = w.schemas.create("landing", "domain0_prod", properties={"a": "b"})
    assert schema.full_name == "domain0_prod.landing" and schema.properties == {"a": "b"}
    w.schemas.update("domain0_prod.landing", owner="someone")
    assert w.schemas.get("domain0_prod.landing").owner == "someone"
    with pytest.raises(platform.NotFound):
        w.schemas.create("landing", "no_such_catalog")
    with pytest.raises(platform.BadRequest):
        w.catalogs.delete("domain0_prod")  # not empty without force


def test_scim_me_names_the_workspace_in_a_header(w: Any, server: UCServer) -> None:
    answer = requests.get(
        f"{server.url}/api/2.0/preview/scim/v2/Me?excludedAttributes=entitlements",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert answer.headers["X-Databricks-Org-Id"] == str(server.store.workspace_id)
    assert w.current_user.me().user_name == server.store.caller


def test_host_metadata_is_absent(server: UCServer) -> None:
    assert requests.get(f"{server.url}/.well-known/databricks-config").status_code == 404


def test_service_principal_lifecycle(w: Any) -> None:
    sp = w.service_principals.create(application_id="9a8b7c6d", display_name="etl")
    assert (sp.application_id, sp.active) == ("9a8b7c6d", True)
    found = list(w.service_principals.list(filter='applicationId eq "9a8b7c6d"'))
    assert [s.id for s in found] == [sp.id]
    w.service_principals.update(sp.id, display_name="etl-2")  # a PUT without applicationId
    assert w.service_principals.get(sp.id).application_id == "9a8b7c6d"
    w.service_principals.delete(sp.id)
    with pytest.raises(platform.NotFound):
        w.service_principals.get(sp.id)


def test_metastore_summary_and_lineage(w: Any, server: UCServer) -> None:
    assert w.metastores.summary().metastore_id == server.store.metastore_id
    server.store.lineage.append(
        {"source_table_full_name": "a.b.c", "target_table_full_name": "a.b.d"}
    )
    lineage = w.api_client.do(
        "GET", "/api/2.0/lineage-tracking/table-lineage", query={"table_name": "a.b.d"}
    )
    assert [u["tableInfo"]["name"] for u in lineage["upstreams"]] == ["c"]


def test_command_line_server_serves_a_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text(dumps(sample_state(catalogs=1, schemas=1, tables=1)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "govkit.testing.ucserver", "--state", str(state_file),
         "--port", str(port), "--token", "dapi-manual"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(
            f"serving Unity Catalog API on http://127.0.0.1:{port}"
        )
        answer = requests.get(
            f"http://127.0.0.1:{port}{UC}/catalogs",
            headers={"Authorization": "Bearer dapi-manual"},
        )
        assert [c["name"] for c in answer.json()["catalogs"]] == ["domain0_prod"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_line_server_refuses_a_bad_state_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    done = subprocess.run(
        [sys.executable, "-m", "govkit.testing.ucserver", "--state", str(bad), "--port", "0"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "not a State document" in done.stderr and "Traceback" not in done.stderr


def test_account_and_workspace_hosts_describe_themselves(server: UCServer) -> None:
    account = server.add_host("account")
    workspace = server.add_host(workspace_id=3001)
    meta = requests.get(f"{account}/.well-known/databricks-config").json()
    assert (meta["host_type"], meta["account_id"]) == ("account", server.store.account_id)
    meta = requests.get(f"{workspace}/.well-known/databricks-config").json()
    assert (meta["host_type"], meta["workspace_id"]) == ("workspace", "3001")
    auth = {"Authorization": f"Bearer {server.token}"}
    assignment = requests.get(f"{workspace}{UC}/current-metastore-assignment", headers=auth)
    assert assignment.json()["workspace_id"] == 3001
    me = requests.get(f"{workspace}/api/2.0/preview/scim/v2/Me", headers=auth)
    assert me.headers["X-Databricks-Org-Id"] == "3001"
    # One metastore behind every host: what one host writes, another reads.
    assert requests.get(f"{workspace}{UC}/catalogs/domain0_prod", headers=auth).ok


def test_account_client_manages_service_principals_and_assignments(server: UCServer) -> None:
    from databricks.sdk import AccountClient
    from databricks.sdk.service.iam import WorkspacePermission

    host = server.add_host("account")
    a = AccountClient(host=host, account_id=server.store.account_id, token=server.token,
                      auth_type="pat")  # fmt: skip
    sp = a.service_principals.create(application_id="app-1", display_name="etl")
    a.workspace_assignment.update(3001, int(sp.id or 0), permissions=[WorkspacePermission.USER])
    with pytest.raises(platform.NotFound):
        a.workspace_assignment.update(3001, 42, permissions=[WorkspacePermission.USER])
    assigned = a.workspace_assignment.list(3001)
    assert [x.principal.service_principal_name for x in assigned if x.principal] == ["app-1"]


def test_grant_to_a_principal_nobody_synced_fails_as_on_a_metastore(
    w: Any, server: UCServer
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    server.add_principals(["domain0-analysts", "auditors"])
    w.grants.update(
        "catalog",
        "domain0_prod",
        changes=[PermissionsChange(principal="auditors", add=[Privilege.SELECT])],
    )
    with pytest.raises(platform.NotFound, match="Could not find principal with name ghosts"):
        w.grants.update(
            "catalog",
            "domain0_prod",
            changes=[PermissionsChange(principal="ghosts", add=[Privilege.SELECT])],
        )
    assert "ghosts" not in server.store.get(SecurableType.CATALOG, "domain0_prod").grants


def test_pipeline_tables_appear_once_their_schema_exists(w: Any, server: UCServer) -> None:
    tables = sample_state(catalogs=1, schemas=1, tables=2, environment="dev")
    server.add_tables([tables])
    w.catalogs.create("domain0_dev")
    with pytest.raises(platform.NotFound):  # the pipeline waits for its schema
        w.tables.get("domain0_dev.schema0.table0")
    w.schemas.create("schema0", "domain0_dev")
    names = [t.full_name for t in w.tables.list("domain0_dev", "schema0")]
    assert names == ["domain0_dev.schema0.table0", "domain0_dev.schema0.table1"]
    assert w.tables.get("domain0_dev.schema0.table0").owner == tables.securables[-1].owner
