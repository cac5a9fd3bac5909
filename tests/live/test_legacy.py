"""The legacy-access reader through the real databricks-sdk against the local server."""

from __future__ import annotations

import pytest

from govkit.legacy.document import (
    Cluster,
    ClusterPolicy,
    InstanceProfile,
    Job,
    JobCluster,
    LegacyAccess,
    Workspace,
    dumps,
    make_legacy,
)
from govkit.live.legacy import read_legacy, workspace_clients
from govkit.testing.faults import Faults
from govkit.testing.http import ServerConfig
from govkit.testing.ucserver import UCServer
from tests.live.conftest import FAST

ROLE = "arn:aws:iam::123456789012:instance-profile/etl-raw"
TAKEN = "2026-11-26T02:00:00Z"


def _estate() -> LegacyAccess:
    """Two workspaces; enough clusters and jobs for several pages, one job past 100 tasks."""
    clusters = tuple(
        Cluster(f"0101-{i:03d}", f"shared-{i}", f"user{i}@meridian.example", None,
                "NONE" if i % 3 == 0 else "USER_ISOLATION", ROLE if i == 4 else None,
                "P1" if i == 4 else None, "UI",
                {"spark.databricks.acl.sqlOnly": "true"} if i == 5 else {})
        for i in range(7)
    )  # fmt: skip
    wide = tuple(JobCluster("task", f"t{i:03d}", "SINGLE_USER", ROLE) for i in range(103))
    jobs = (
        Job(11, "nightly «ledger»", "etl@meridian.example", wide),
        *(
            Job(20 + i, f"job-{i}", "etl@meridian.example",
                (JobCluster("job_cluster", "main", "LEGACY_PASSTHROUGH", None,
                            {"spark.databricks.acl.dff.enabled": "true"}),))
            for i in range(4)
        ),
    )  # fmt: skip
    return make_legacy(
        "workspace",
        [
            Workspace(
                3001,
                (InstanceProfile(ROLE, "arn:aws:iam::123456789012:role/etl-raw"),),
                clusters,
                (
                    ClusterPolicy("P1", "etl", "admin@meridian.example", (ROLE,)),
                    ClusterPolicy("P2", "two", None, (ROLE, f"{ROLE}-b")),
                    ClusterPolicy("P3", "none", None, ()),
                ),
                jobs,
            ),
            Workspace(3002, clusters=clusters[:1]),
        ],
        environment="prod",
        taken_at=TAKEN,
    )


def _server(doc: LegacyAccess, **kwargs: object) -> UCServer:
    server = UCServer(config=ServerConfig(page_size=2), **kwargs)  # type: ignore[arg-type]
    server.compute.load(doc)
    return server


def test_a_recorded_estate_reads_back_byte_for_byte_across_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = _estate()
    with _server(doc) as server:
        # 3001 at a host of its own; 3002 through the one host, routed by workspace id
        hosts = {3001: server.add_host(workspace_id=3001)}
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        read = read_legacy("prod", [3002, 3001], workspace_clients(hosts, FAST), FAST, TAKEN)
        routes = server.requests_by_route()
    assert dumps(read) == dumps(doc)
    # 7 clusters at 2 a page in 3001, 1 in 3002; 5 jobs at 2 a page; the wide job's rest
    assert routes["GET /api/2.1/clusters/list"] == 4 + 1
    assert routes["GET /api/2.2/jobs/list"] == 3 + 1
    assert routes["GET /api/2.2/jobs/get"] == 2


def test_a_workspace_that_refuses_the_caller_makes_the_document_incomplete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _server(_estate()) as server:
        server.compute.denied.add(3002)
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        read = read_legacy("prod", [3001, 3002], workspace_clients({}, FAST), FAST, TAKEN)
    assert not read.complete
    assert [w.workspace_id for w in read.workspaces] == [3001]
    ((error),) = read.errors
    assert error.workspace_id == 3002
    assert "could not read instance profiles: PERMISSION_DENIED" in error.message


def test_throttling_is_waited_out_and_a_page_that_keeps_failing_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    throttled = Faults(kinds=("429",), fail_first=1, paths=("/clusters/list",))
    with _server(_estate(), faults=throttled) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        read = read_legacy("prod", [3001], workspace_clients({}, FAST), FAST, TAKEN)
        statuses = [s.status for s in server.requests if "clusters/list" in s.target]
        assert read.complete and statuses.count(429) >= 1
        server.faults = Faults(fail_pages=(("/api/2.2/jobs/list", 1),))
        broken = read_legacy("prod", [3001], workspace_clients({}, FAST), FAST, TAKEN)
    assert not broken.complete and broken.workspaces == ()
    assert "could not read jobs: INTERNAL_ERROR" in broken.errors[0].message


def test_an_azure_workspace_is_not_asked_for_instance_profiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _server(_estate()) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        monkeypatch.setenv("DATABRICKS_CLOUD", "azure")
        read = read_legacy("prod", [3001], workspace_clients({}, FAST), FAST, TAKEN)
        routes = server.requests_by_route()
    assert read.complete and read.workspaces[0].instance_profiles == ()
    assert read.workspaces[0].clusters == _estate().workspaces[0].clusters
    assert "GET /api/2.0/instance-profiles/list" not in routes


def test_a_storage_key_in_a_spark_conf_is_kept_without_its_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lake = "spark.hadoop.fs.azure.account.key.stlake.dfs.core.windows.net"
    secret = "spark.hadoop.fs.azure.account.oauth2.client.secret"
    conf = {lake: "bGl0ZXJhbC1rZXk=", secret: "{{secrets/lake/sp-secret}}", "spark.task.cpus": "2"}
    cluster = Cluster("0101-azure", "lake-etl", "wen@meridian.example", None, "USER_ISOLATION",
                      None, None, "UI", conf)  # fmt: skip
    # As the workspace holds it: the whole conf, the account key written out.
    held = LegacyAccess("workspace", workspaces=(Workspace(3001, clusters=(cluster,)),))
    with _server(held) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        monkeypatch.setenv("DATABRICKS_CLOUD", "azure")
        read = read_legacy("prod", [3001], workspace_clients({}, FAST), FAST, TAKEN)
    assert read.workspaces[0].clusters[0].spark_conf == {
        lake: "<redacted>",
        secret: "{{secrets/lake/sp-secret}}",
    }
    assert "bGl0ZXJhbC1rZXk=" not in dumps(read)
