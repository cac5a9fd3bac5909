"""The legacy-access document and the access paths counted from it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from govkit.legacy.document import (
    Cluster,
    ClusterPolicy,
    InstanceProfile,
    Job,
    JobCluster,
    LegacyFormatError,
    Workspace,
    dumps,
    json_schema,
    loads,
    make_legacy,
)
from govkit.legacy.paths import access_paths

ROLE = "arn:aws:iam::123456789012:instance-profile/etl-raw"
OTHER = "arn:aws:iam::123456789012:instance-profile/ml-scratch"

DOC = make_legacy(
    "workspace",
    [
        Workspace(
            3002,
            clusters=(Cluster("0101-uc", "uc-shared", "ann@x.example", None, "USER_ISOLATION"),),
        ),
        Workspace(
            3001,
            instance_profiles=(InstanceProfile(ROLE, "arn:aws:iam::123456789012:role/etl-raw"),),
            clusters=(
                Cluster(
                    "0202-legacy",
                    "etl-shared",
                    "bob@x.example",
                    None,
                    "NONE",
                    ROLE,
                    None,
                    "UI",
                    {"spark.databricks.acl.dff.enabled": "false", "spark.other": "1"},
                ),
                Cluster(
                    "0101-acl",
                    "bi-sql",
                    "cy@x.example",
                    None,
                    "SINGLE_USER",
                    None,
                    None,
                    "API",
                    {"spark.databricks.acl.sqlOnly": "true"},
                ),
                Cluster(
                    "0303-run", "job-7-run-1", "etl@x.example", None, "NONE", ROLE, None, "JOB"
                ),
            ),
            cluster_policies=(ClusterPolicy("P1", "etl policy", "admin@x.example", (ROLE,)),),
            jobs=(
                Job(
                    7,
                    "nightly",
                    "etl@x.example",
                    (
                        JobCluster("task", "load", "LEGACY_PASSTHROUGH", OTHER),
                        JobCluster("job_cluster", "main", "DATA_SECURITY_MODE_DEDICATED", ROLE),
                    ),
                ),
            ),
        ),
    ],
    environment="prod",
    taken_at="2026-11-26T02:00:00Z",
)


def test_text_is_canonical_reads_back_and_validates() -> None:
    text = dumps(DOC)
    assert loads(text) == DOC
    raw = json.loads(text)
    jsonschema.validate(raw, json_schema())
    assert [w["workspace_id"] for w in raw["workspaces"]] == [3001, 3002]
    # only the table access control flags of a spark conf are kept
    assert raw["workspaces"][0]["clusters"][1]["spark_conf"] == {
        "spark.databricks.acl.dff.enabled": "false"
    }
    raw["workspaces"].reverse()
    raw["workspaces"][1]["clusters"].reverse()
    assert dumps(loads(json.dumps(raw))) == text


def test_paths_count_each_door_once_with_its_workspace_and_owner() -> None:
    paths = access_paths(DOC)
    assert [(p.workspace_id, p.kind, p.subject, p.owner) for p in paths] == [
        (3001, "instance_profile", f"instance profile {ROLE}", None),
        (3001, "instance_profile", f"instance profile {OTHER}", None),
        (3001, "hive_table_acl", "cluster bi-sql (0101-acl)", "cy@x.example"),
        (3001, "no_isolation", "cluster etl-shared (0202-legacy)", "bob@x.example"),
        (3001, "legacy_access_mode", "job nightly (7), task load", "etl@x.example"),
    ]
    role = paths[0]
    # the run cluster of job 7 is counted through the job, not as a cluster of its own
    assert role.used_by == (
        "cluster etl-shared (0202-legacy), owner bob@x.example",
        "cluster policy etl policy (P1), owner admin@x.example",
        "job nightly (7), job cluster main, owner etl@x.example",
    )
    assert "registered" in role.detail and "not registered" in paths[1].detail


def test_a_storage_key_in_a_spark_conf_is_one_door_per_credential_and_account() -> None:
    account = "fs.azure.account.key.stlake.dfs.core.windows.net"
    conf = {f"spark.hadoop.{account}": "{{secrets/lake/key}}"}
    literal = {"fs.azure.account.oauth2.client.secret": "s3cr3t", "spark.task.cpus": "2"}
    doc = loads(dumps(make_legacy("file", [
        Workspace(1001, clusters=(
            Cluster("a", "etl", "ann@x.example", None, "USER_ISOLATION", spark_conf=conf),
            Cluster("b", "ml", "bo@x.example", None, "SINGLE_USER", spark_conf=literal),
        ), jobs=(Job(4, "load", "etl@x.example", (JobCluster("task", "t", "SINGLE_USER",
                                                            spark_conf=conf),)),)),
    ])))  # fmt: skip
    assert "s3cr3t" not in dumps(doc) and "spark.task.cpus" not in dumps(doc)
    paths = access_paths(doc)
    assert [(p.kind, p.subject, p.detail) for p in paths] == [
        ("storage_key", "account key for stlake.dfs.core.windows.net",
         "in the spark conf as {{secrets/lake/key}}; used by 2"),
        ("storage_key", "service principal secret for every storage account",
         "in the spark conf as the secret itself (redacted here); used by 1"),
    ]  # fmt: skip
    assert paths[0].used_by == (
        "cluster etl (a), owner ann@x.example",
        "job load (4), task t, owner etl@x.example",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "not a legacy-access document"),
        ('{"format": "govkit.legacy-access/v1"}', "at source"),
        ('{"format": "govkit.legacy-access/v1", "source": "file", "workspaces": '
         '[{"workspace_id": 1}, {"workspace_id": 1}]}', "workspace 1 appears twice"),
        ('{"format": "govkit.legacy-access/v1", "source": "file", "workspaces": '
         '[{"workspace_id": 1, "clusters": [{"cluster_id": "a", "colour": 1}]}]}',
         "workspaces.0.clusters.0.colour"),
        ("{", "not JSON at line 1 column 2"),
    ],
)  # fmt: skip
def test_bad_input_names_where(text: str, message: str) -> None:
    with pytest.raises(LegacyFormatError, match=message):
        loads(text)


def test_govkit_schema_prints_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from govkit.cli.main import main

    assert main(["schema", "legacy-access"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()
