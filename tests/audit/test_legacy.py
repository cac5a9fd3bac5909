"""`govkit audit`'s section on access outside Unity Catalog: formats, exit rule, live reads."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from govkit.audit.model import json_schema
from govkit.cli.main import main
from govkit.legacy.document import Cluster, Job, JobCluster, Workspace, dumps, loads, make_legacy
from govkit.live.legacy import read_legacy, workspace_clients
from govkit.testing.http import ServerConfig
from govkit.testing.ucserver import UCServer
from tests.access.identities import write_identities
from tests.audit.test_cli import AS_OF, RECORDED, _audit, _report
from tests.conftest import CATALOGS
from tests.live.conftest import FAST

PROD = (3001, 3002, 3003, 3004, 3005)
DEV = (1001, 1002, 1003, 1004)


def _doc(tmp_path: Path, env: str, workspaces: list[Workspace], name: str = "legacy.json") -> str:
    path = tmp_path / name
    path.write_text(dumps(make_legacy("file", workspaces, environment=env)), encoding="utf-8")
    return str(path)


def _clean_inputs(tmp_path: Path, env: str) -> list[str]:
    """A live State equal to the spec and no lineage: nothing to find but the legacy paths."""
    desired = subprocess.run(
        [".venv/bin/govkit", "show", str(CATALOGS), "--env", env, "--format", "json"],
        capture_output=True, text=True, check=True, cwd=CATALOGS.parent,
    ).stdout  # fmt: skip
    (tmp_path / "live.json").write_text(desired, encoding="utf-8")
    lineage = {"format": "govkit.lineage/v1", "source": "file", "edges": []}
    (tmp_path / "lineage.json").write_text(json.dumps(lineage), encoding="utf-8")
    return ["--live", str(tmp_path / "live.json"), "--lineage", str(tmp_path / "lineage.json")]


def _legacy_findings(tmp_path: Path, env: str, out: str = "out") -> list[tuple[str, str]]:
    return [
        (f["code"], f["severity"])
        for f in _report(tmp_path, env, out)["findings"]  # type: ignore[attr-defined]
        if f["section"] == "legacy"
    ]


def test_the_recorded_prod_estate_shows_its_doors_and_who_uses_them(
    tmp_path: Path,
) -> None:
    assert _audit(tmp_path) == 2
    report = _report(tmp_path)
    jsonschema.validate(report, json_schema())
    legacy = report["legacy"]
    assert isinstance(legacy, dict)
    assert legacy["paths_count"] == 3 == report["summary"]["legacy_access_paths"]  # type: ignore[index]
    assert legacy["complete"] and legacy["workspaces_read"] == list(PROD)
    first, second, key = legacy["paths"]
    assert (key["workspace_id"], key["kind"]) == (3004, "storage_key")
    assert key["subject"] == "account key for stmeridianprod.dfs.core.windows.net"
    assert key["used_by"] == [
        "cluster marketing-analysts (0606-111111-mkt01), owner uma.ng@meridian.example"
    ]
    assert first["workspace_id"] == 3001 and first["kind"] == "instance_profile"
    assert [u.split(" (")[0] for u in first["used_by"]] == [
        "cluster finance-etl-shared",
        "cluster policy finance-legacy-etl",
        "job payments-nightly-settlement",
    ]
    assert "(sp-payments-etl-prod)" in first["used_by"][2]  # the declared name beside the id
    assert second["workspace_id"] == 3002 and "risk-scoring-adhoc" in second["used_by"][0]
    assert _legacy_findings(tmp_path, "prod") == [("GOV631", "error")] * 2 + [("GOV635", "error")]
    source = next(s for s in report["evidence"]["sources"] if s["name"] == "legacy")  # type: ignore[index]
    assert source["location"] == str(RECORDED / "prod.legacy.json") and source["complete"]
    md = (tmp_path / "out" / "audit-prod.md").read_text(encoding="utf-8")
    assert "## Access outside Unity Catalog" in md and "3 access paths outside" in md
    html = (tmp_path / "out" / "audit-prod.html").read_text(encoding="utf-8")
    assert "access paths outside Unity Catalog (goal 0)" in html  # the summary card
    rows = (tmp_path / "out" / "audit-prod-legacy_access.csv").read_text(encoding="utf-8")
    assert rows.count("instance profile arn:aws:iam::") == 2


def test_hostile_names_are_escaped_in_every_format(tmp_path: Path) -> None:
    hostile = Cluster(
        "0101-x", '<script>alert("x")</script> Zoë|ü', '=HYPERLINK("http://x")', None, "NONE"
    )
    doc = _doc(tmp_path, "prod", [Workspace(3001, clusters=(hostile,)), *map(Workspace, PROD[1:])])
    assert _audit(tmp_path, "--legacy", doc) == 2
    out = tmp_path / "out"
    html = (out / "audit-prod.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert html.count("<script>") == 1
    md = (out / "audit-prod.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "Zoë\\|ü" in md
    with (out / "audit-prod-legacy_access.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["owner"] == '\'=HYPERLINK("http://x")' and "Zoë|ü" in row["subject"]
    path = _report(tmp_path)["legacy"]["paths"][0]  # type: ignore[index]
    assert path["subject"] == 'cluster <script>alert("x")</script> Zoë|ü (0101-x)'


def test_a_path_fails_the_audit_in_a_protected_environment_only(tmp_path: Path) -> None:
    ids = write_identities(tmp_path)
    none = Cluster("0101-n", "sandbox", "wen@meridian.example", None, "NONE")
    job = Job(5, "etl", "etl@meridian.example", (JobCluster("task", "t", "LEGACY_TABLE_ACL"),))
    for env, workspaces in (("prod", PROD), ("dev", DEV)):
        args = ["audit", str(CATALOGS), "--env", env, "--identities", ids, "--as-of", AS_OF,
                *_clean_inputs(tmp_path, env), "--format", "json"]  # fmt: skip
        empty = _doc(tmp_path, env, [Workspace(w) for w in workspaces], f"{env}-empty.json")
        doors = [Workspace(workspaces[0], clusters=(none,), jobs=(job,)),
                 *map(Workspace, workspaces[1:])]  # fmt: skip
        found = _doc(tmp_path, env, doors, f"{env}-doors.json")
        assert main([*args, "--legacy", empty, "--out", str(tmp_path / env)]) == 0
        assert main([*args, "--legacy", found, "--out", str(tmp_path / env)]) == (
            2 if env == "prod" else 0
        )
        severity = "error" if env == "prod" else "note"
        assert _legacy_findings(tmp_path, env, env) == [
            ("GOV632", severity),
            ("GOV633", severity),
        ]


def test_a_workspace_missing_from_the_document_or_another_environment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = _doc(tmp_path, "prod", [Workspace(w) for w in PROD[:-1]])
    assert _audit(tmp_path, "--legacy", partial) == 1
    assert "workspace 3005: not read" in capsys.readouterr().err
    assert _audit(tmp_path, "--legacy", partial, "--allow-incomplete") == 2
    legacy = _report(tmp_path)["legacy"]
    assert not legacy["complete"] and "3005" in legacy["note"]  # type: ignore[index]
    assert _audit(tmp_path, "--legacy", str(RECORDED / "dev.legacy.json")) == 1
    assert "legacy-access document is of environment 'dev'" in capsys.readouterr().err


def test_live_read_of_every_workspace_and_a_403_on_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = loads((RECORDED / "prod.legacy.json").read_bytes())
    with UCServer(config=ServerConfig(page_size=1)) as server:
        server.compute.load(recorded)
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        hosts = {3001: server.add_host(workspace_id=3001)}
        # the recorded file round-trips: loaded, read live, the same bytes
        read = read_legacy("prod", PROD, workspace_clients(hosts, FAST), FAST, recorded.taken_at)
        assert dumps(read) == dumps(recorded)
        server.compute.denied.add(3002)
        host = f"3001={hosts[3001]}"
        # A live read is of now: the report is dated after it, never before.
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        now = ("--as-of", later.strftime("%Y-%m-%dT%H:%M:%SZ"))
        assert _audit(tmp_path, "--legacy", "workspace", "--workspace-host", host, *now) == 1
        err = capsys.readouterr().err
        assert "workspace 3002: could not read instance profiles: PERMISSION_DENIED" in err
        assert _audit(tmp_path, "--legacy", "workspace", "--allow-incomplete", *now) == 2
        # dated before the read (AS_OF is in the past), the report says it predates its evidence
        assert _audit(tmp_path, "--legacy", "workspace", "--allow-incomplete", out="past") == 2
        server.compute.denied.discard(3002)
        assert _audit(tmp_path, "--legacy", "workspace", *now, out="whole") == 2
        past = _report(tmp_path, out="past")["findings"]
        assert [
            (f["code"], f["severity"], f["subject"]) for f in past if f["code"] == "GOV691"
        ] == [("GOV691", "error", "legacy")]
    report = _report(tmp_path)
    legacy = report["legacy"]
    assert legacy["workspaces_read"] == [3001, 3003, 3004, 3005]  # type: ignore[index]
    # The live read is saved with the report and hashed; the command reproduces from the copy.
    evidence = report["evidence"]
    saved = next(s for s in evidence["sources"] if s["name"] == "legacy")  # type: ignore[index]
    assert saved["kind"] == "workspace" and saved["saved_as"] == "evidence-prod-legacy.json"
    copy = (tmp_path / "out" / saved["saved_as"]).read_bytes()
    assert hashlib.sha256(copy).hexdigest() == saved["sha256"]
    assert "--legacy evidence-prod-legacy.json" in evidence["command"]  # type: ignore[index]
    # An incomplete read records the host only; a complete one its metastore and identity too.
    assert evidence["live_reader"] == {  # type: ignore[index]
        "host": server.url,
        "metastore_id": None,
        "read_as": None,
    }
    reader = _report(tmp_path, out="whole")["evidence"]["live_reader"]  # type: ignore[index]
    assert reader["host"] == server.url and reader["read_as"] == server.store.caller
    assert reader["metastore_id"] == server.store.metastore_id
    # the instance profile of 3001 and the storage key of 3004; 3002's profile is unread
    assert legacy["paths_count"] == 2 and "3002" in legacy["note"]  # type: ignore[index]


def test_an_azure_storage_key_in_a_spark_conf_is_an_access_path(tmp_path: Path) -> None:
    key = "spark.hadoop.fs.azure.account.key.stmeridianprod.dfs.core.windows.net"
    keyed = Cluster("0101-k", "lake-etl", "wen@meridian.example", None, "USER_ISOLATION",
                    spark_conf={key: "{{secrets/lake/account-key}}"})  # fmt: skip
    doc = _doc(tmp_path, "prod", [Workspace(3001, clusters=(keyed,)), *map(Workspace, PROD[1:])])
    assert _audit(tmp_path, "--legacy", doc) == 2
    assert _legacy_findings(tmp_path, "prod") == [("GOV635", "error")]
    (path,) = _report(tmp_path)["legacy"]["paths"]  # type: ignore[index]
    assert path["subject"] == "account key for stmeridianprod.dfs.core.windows.net"
    assert path["used_by"] == ["cluster lake-etl (0101-k), owner wen@meridian.example"]
    md = (tmp_path / "out" / "audit-prod.md").read_text(encoding="utf-8")
    assert "1 spark conf storage key;" in md and "{{secrets/lake/account-key}}" in md
