"""The local server as databricks-sdk sees it over HTTP: listings, paging, grants, errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from databricks.sdk.errors import platform

from govkit.privileges import SecurableType
from govkit.testing import Faults, UCServer
from govkit.testing.fixtures import ServerFactory
from govkit.testing.sample import sample_state

UC = "/api/2.1/unity-catalog"


def test_sdk_lists_every_catalog_schema_and_table_across_pages(w: Any) -> None:
    catalogs = [c.name for c in w.catalogs.list()]
    assert catalogs == ["domain0_prod", "domain1_prod", "domain2_prod"]
    schemas = [s.name for s in w.schemas.list(catalog_name="domain1_prod")]
    assert schemas == ["information_schema", "schema0", "schema1", "schema2"]
    tables = [t.full_name for t in w.tables.list("domain1_prod", "schema2")]
    assert tables == [f"domain1_prod.schema2.table{i}" for i in range(4)]


def test_first_page_is_empty_but_carries_a_token(w: Any) -> None:
    first = w.api_client.do("GET", f"{UC}/catalogs", query={"max_results": 0})
    assert first.get("catalogs", []) == [] and first["next_page_token"]
    second = w.api_client.do(
        "GET", f"{UC}/catalogs", query={"max_results": 0, "page_token": first["next_page_token"]}
    )
    assert [c["name"] for c in second["catalogs"]] == ["domain0_prod", "domain1_prod"]


def test_catalog_carries_owner_isolation_and_bindings(w: Any) -> None:
    catalog = w.catalogs.get("domain0_prod")
    assert catalog.owner == "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
    assert catalog.isolation_mode.value == "ISOLATED"
    bound = [b.workspace_id for b in w.workspace_bindings.get_bindings("catalog", "domain0_prod")]
    assert bound == [3001, 3002]


def test_permissions_patch_then_get(w: Any, server: UCServer) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    w.grants.update(
        "table",
        "domain0_prod.schema0.table1",
        changes=[
            PermissionsChange(principal="auditors", add=[Privilege.SELECT]),
            PermissionsChange(principal="writers", remove=[Privilege.MODIFY, Privilege.SELECT]),
        ],
    )
    got = w.grants.get("table", "domain0_prod.schema0.table1")
    assert [(a.principal, [p.value for p in a.privileges]) for a in got.privilege_assignments] == [
        ("auditors", ["SELECT"]),
    ]
    audit = server.store.audit[-1]
    assert audit["action_name"] == "updatePermissions"
    assert audit["user_identity"]["email"] == server.store.caller
    assert audit["request_params"]["securable_full_name"] == "domain0_prod.schema0.table1"


@pytest.mark.parametrize(
    ("type", "name", "privilege"),
    [
        ("catalog", "domain0_prod", "USE CATALOG"),  # the SQL spelling is not the API's
        ("table", "domain0_prod.schema0.table0", "USE_CATALOG"),  # not valid on a table
        ("catalog", "domain0_prod", "ALL"),
    ],
)
def test_invalid_privilege_is_a_databricks_error(
    w: Any, type: str, name: str, privilege: str
) -> None:
    before = w.grants.get(type, name)
    # The raw PATCH, as the provider sends it: the SDK's enum cannot even spell these.
    body = {"changes": [{"principal": "x", "add": ["SELECT", privilege]}]}
    with pytest.raises(platform.InvalidParameterValue) as caught:
        w.api_client.do("PATCH", f"{UC}/permissions/{type}/{name}", body=body)
    assert privilege in str(caught.value)
    assert w.grants.get(type, name) == before  # nothing half-applied


def test_missing_objects_are_resource_does_not_exist(w: Any) -> None:
    with pytest.raises(platform.ResourceDoesNotExist):
        w.catalogs.get("nope")
    with pytest.raises(platform.ResourceDoesNotExist):
        w.grants.get("schema", "domain0_prod.nope")


def test_permissions_max_results_below_150_is_rejected(w: Any) -> None:
    with pytest.raises(platform.InvalidParameterValue):
        w.grants.get("catalog", "domain0_prod", max_results=10)


def test_effective_permissions_include_inherited(w: Any) -> None:
    got = w.grants.get_effective("table", "domain0_prod.schema0.table0")
    by_principal = {a.principal: a.privileges for a in got.privilege_assignments}
    inherited = {p.privilege.value for p in by_principal["domain0-analysts"]}
    assert inherited == {"SELECT"}  # USE_CATALOG and BROWSE do not apply to tables
    assert by_principal["domain0-analysts"][0].inherited_from_name == "domain0_prod"


def test_wrong_token_is_unauthenticated(server: UCServer) -> None:
    from databricks.sdk import WorkspaceClient

    other = WorkspaceClient(host=server.url, token="dapi-wrong", auth_type="pat")
    with pytest.raises(platform.Unauthenticated):
        list(other.catalogs.list())


def test_429_carries_retry_after_and_a_databricks_body(ucserver_factory: ServerFactory) -> None:
    server = ucserver_factory(faults=Faults(rate=1.0, kinds=("429",), retry_after=7))
    answer = requests.get(
        f"{server.url}{UC}/catalogs", headers={"Authorization": f"Bearer {server.token}"}
    )
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert answer.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"


def test_faults_are_reproducible_from_the_seed(ucserver_factory: ServerFactory) -> None:
    def statuses(seed: int) -> list[int]:
        server = ucserver_factory(faults=Faults(seed=seed, rate=0.5, kinds=("500", "503")))
        headers = {"Authorization": f"Bearer {server.token}"}
        return [
            requests.get(f"{server.url}{UC}/catalogs?n={i}", headers=headers).status_code
            for i in range(20)
        ]

    assert statuses(3) == statuses(3)
    assert statuses(3) != statuses(4)
    assert set(statuses(3)) == {200, 500, 503}


def test_state_round_trips_through_the_server(ucserver_factory: ServerFactory) -> None:
    desired = sample_state(catalogs=2, schemas=2, tables=2)
    server = ucserver_factory([desired])
    dumped = server.dump_state()
    assert dumped.securables == desired.securables
    names = [s.name for s in dumped.securables if s.type is SecurableType.CATALOG]
    assert names == ["domain0_prod", "domain1_prod"]


def test_unknown_securable_type_is_a_bad_request(w: Any) -> None:
    with pytest.raises(platform.BadRequest):
        w.api_client.do("GET", f"{UC}/bindings/spaceship/x")
