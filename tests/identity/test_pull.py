"""`govkit identities pull` through the real msgraph-sdk against the local Graph server."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.identity.document import Group, ServicePrincipal, User, loads, make_identities
from govkit.testing.graphserver import GraphFaults, GraphServer
from tests.conftest import CATALOGS, TODAY
from tests.identity.conftest import require_msgraph

RECORDED = CATALOGS / "recorded" / "identities.json"


@pytest.fixture
def recorded() -> Any:
    return loads(RECORDED.read_bytes())


@pytest.fixture(autouse=True)
def graph_env(monkeypatch: pytest.MonkeyPatch) -> None:
    require_msgraph()
    monkeypatch.setenv("GOVKIT_GRAPH_TOKEN", "test-token")
    for name in ("GOVKIT_GRAPH_URL", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


def pull(server_url: str, out: Path, spec: Path = CATALOGS, *extra: str) -> int:
    return main(["identities", "pull", str(spec), "--out", str(out), "--graph-url", server_url,
                 "--as-of", TODAY.isoformat(), *extra])  # fmt: skip


def test_pull_reads_declared_groups_and_every_nested_group(
    graph_factory: Any, recorded: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server: GraphServer = graph_factory(recorded)
    out = tmp_path / "identities.json"
    assert pull(server.url, out) == 0
    doc = loads(out.read_bytes())
    assert doc.complete and doc.source == "graph" and doc.taken_at
    expected = {(g.display_name, g.id, g.members) for g in recorded.groups}
    assert {(g.display_name, g.id, g.members) for g in doc.groups} == expected
    # The people behind the groups, with their account state; the deleted group is not there.
    in_groups = {m[5:] for g in recorded.groups for m in g.members if m.startswith("user:")}
    assert {u.name: u.enabled for u in doc.users} == {
        u.name: u.enabled for u in recorded.users if u.name in in_groups
    }
    assert doc.group("marketing-engineers") is None
    assert len(doc.service_principals) == len(recorded.service_principals)
    # Every read went in a $batch of at most 20: far fewer requests than reads.
    parts = sum(r.in_batch for r in server.requests)
    assert server.request_count <= parts / 10
    assert "complete" in capsys.readouterr().err


def test_large_groups_page_and_throttled_parts_are_retried(
    graph_factory: Any, tmp_path: Path
) -> None:
    people = [User(f"p{i:04d}@m.example") for i in range(1005)]
    doc = make_identities(
        "file",
        [Group("sales-analysts", None, tuple(f"user:{p.name}" for p in people))],
        people,
    )
    faults = GraphFaults(throttle_first=1, retry_after=1, paths=("members",))
    server: GraphServer = graph_factory(doc, faults=faults)
    out = tmp_path / "identities.json"
    assert pull(server.url, out, Path("tests/golden/small/spec")) == 0
    pulled = loads(out.read_bytes())
    assert pulled.complete
    assert len(pulled.group("sales-analysts").members) == 1005  # type: ignore[union-attr]
    statuses = [r.status for r in server.requests if "members" in r.target]
    assert 429 in statuses and any("skiptoken" in r.target for r in server.requests)


def test_a_page_that_fails_makes_the_document_incomplete_and_exit_1(
    graph_factory: Any, recorded: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owners = recorded.group("risk-owners").id
    server: GraphServer = graph_factory(recorded, GraphFaults(fail_paths=(f"{owners}/members",)))
    out = tmp_path / "identities.json"
    assert pull(server.url, out) == 1
    written = json.loads(out.read_text())
    assert written["complete"] is False
    assert [e["item"] for e in written["errors"]] == [f"members of group risk-owners ({owners})"]
    assert "INCOMPLETE" in capsys.readouterr().err


def test_unreachable_graph_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pull("http://127.0.0.1:9/v1.0", tmp_path / "out.json") == 1
    err = capsys.readouterr().err
    assert err == "Error: cannot connect to http://127.0.0.1:9: Connection refused\n"
    assert not (tmp_path / "out.json").exists()


def test_missing_credentials_say_what_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOVKIT_GRAPH_TOKEN")
    out = tmp_path / "out.json"
    assert pull("http://127.0.0.1:9/v1.0", out, CATALOGS, "--auth", "client-secret") == 1
    err = capsys.readouterr().err
    assert "AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET" in err
    assert "Traceback" not in err and not out.exists()


def test_delta_cache_reads_only_what_changed_and_starts_over_when_expired(
    graph_factory: Any, recorded: Any, tmp_path: Path
) -> None:
    server: GraphServer = graph_factory(recorded)
    out, cache = tmp_path / "identities.json", tmp_path / "cache.json"

    def nightly() -> tuple[Any, int]:
        server.reset_counts()
        assert pull(server.url, out, CATALOGS, "--cache", str(cache)) == 0
        members = sum("/members" in r.target for r in server.requests)
        return loads(out.read_bytes()), members

    first, full_reads = nightly()
    second, unchanged_reads = nightly()
    assert second.groups == first.groups and second.users == first.users
    assert full_reads == len(first.groups) and unchanged_reads == 0

    # Overnight: the head of payments leaves, and an analyst leaves finance-analysts.
    analysts = recorded.group("finance-analysts")
    leaver = analysts.members[-1]
    owner = recorded.group("payments-owners").members[0][5:]
    changed = make_identities(
        "graph",
        [replace(g, members=tuple(m for m in g.members if m != leaver)) if g is analysts else g
         for g in recorded.groups],
        [replace(u, enabled=False) if u.name == owner else u for u in recorded.users],
        recorded.service_principals,
    )  # fmt: skip
    server.directory.replace(changed)
    third, changed_reads = nightly()
    assert leaver not in third.group("finance-analysts").members
    assert third.user(owner).enabled is False
    assert changed_reads == 1  # finance-analysts only

    # An expired link, as Graph answers it for identity resources (400 syncStateNotFound) and
    # after a synchronization reset (410 Gone): a full read, still right.
    for status in (400, 410):
        server.directory.expire_delta_links(status)
        fourth, expired_reads = nightly()
        assert expired_reads == len(fourth.groups)
        assert fourth.groups == third.groups and fourth.users == third.users


def test_delta_cache_sees_a_service_principal_disabled_and_renamed_in_an_unchanged_group(
    graph_factory: Any, recorded: Any, tmp_path: Path
) -> None:
    # A service principal the spec does not declare, a member of a declared group: only the
    # group's members name it, so a cached run must learn of it from servicePrincipals/delta.
    app = "5f0e1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
    group = recorded.groups[0]
    with_sp = replace(
        recorded,
        groups=tuple(replace(g, members=(*g.members, f"sp:{app}")) if g is group else g
                     for g in recorded.groups),
        service_principals=(*recorded.service_principals,
                            ServicePrincipal(app, display_name="svc-report-export")),
    )  # fmt: skip
    server: GraphServer = graph_factory(with_sp)
    out, cache = tmp_path / "identities.json", tmp_path / "cache.json"
    assert pull(server.url, out, CATALOGS, "--cache", str(cache)) == 0
    assert loads(out.read_bytes()).service_principal(app).enabled

    server.directory.replace(replace(with_sp, service_principals=tuple(
        replace(p, enabled=False, display_name="svc-report-export-old")
        if p.application_id == app else p for p in with_sp.service_principals)))  # fmt: skip
    server.reset_counts()
    assert pull(server.url, out, CATALOGS, "--cache", str(cache)) == 0
    assert not any("/members" in r.target for r in server.requests)  # no group changed
    sp = loads(out.read_bytes()).service_principal(app)
    assert (sp.enabled, sp.display_name) == (False, "svc-report-export-old")


def test_no_declared_group_in_the_directory_is_an_error_naming_the_tenant(
    graph_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Another tenant: it answers every lookup, and has none of the spec's groups.
    server: GraphServer = graph_factory(make_identities("file", [], [], []))
    out = tmp_path / "identities.json"
    assert pull(server.url, out) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: none of the 24 declared groups exists in Microsoft Graph")
    assert "the wrong tenant" in err and "AZURE_TENANT_ID" in err and "Traceback" not in err
    assert not out.exists()


def test_declared_groups_missing_from_the_directory_are_warned_of(
    graph_factory: Any, recorded: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = recorded.group("finance-analysts")
    doc = replace(recorded, groups=tuple(g for g in recorded.groups if g is not gone))
    server: GraphServer = graph_factory(doc)
    out = tmp_path / "identities.json"
    assert pull(server.url, out) == 0  # the document is complete; `identities check` fails
    assert loads(out.read_bytes()).complete
    err = capsys.readouterr().err
    assert (
        "warning: 2 of 24 declared groups do not exist in Microsoft Graph: finance-analysts, "
        "marketing-engineers (GOV406 in `govkit identities check`)\n"
    ) in err
