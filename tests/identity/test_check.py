"""`govkit identities check`: the bundled estate against its directory, by file and by Graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.cli.main import main
from govkit.identity.document import loads, make_identities
from govkit.testing import Faults
from govkit.testing.scimgroups import seed_groups
from tests.conftest import CATALOGS, TODAY
from tests.identity.conftest import require_msgraph

RECORDED = CATALOGS / "recorded" / "identities.json"
# What the bundled directory was made to hold: a departed owner, a deleted group, a renamed
# group and a service principal without its application.
EXPECTED = [
    ("GOV412", 22, "owner group risk-owners owns domain risk but its one member is disabled"),
    ("GOV406", 49, "group marketing-engineers does not exist"),
    ("GOV407", 61, "group customer-analysts is called 'customer-insight-analysts'"),
    ("GOV410", 110, "service principal sp-marketing-etl-prod: application"),
]


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["identities", "check", str(CATALOGS), "--as-of", TODAY.isoformat(),
                 "--format", "json", *args])  # fmt: skip
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def found(report: Any) -> list[tuple[str, int, str]]:
    rows = report["diagnostics"]
    assert all(r["file"].endswith("principals.yaml") for r in rows)
    return [(r["code"], r["line"], r["message"]) for r in rows]


def test_bundled_directory_shows_what_went_wrong_in_entra(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report, _ = check(capsys, "--identities", str(RECORDED))
    assert code == 1
    rows = found(report)
    assert [(c, line) for c, line, _ in rows] == [(c, line) for c, line, _ in EXPECTED]
    for (_, _, message), (_, _, expected) in zip(rows, EXPECTED, strict=True):
        assert message.startswith(expected)


def test_check_reads_graph_itself(
    graph_factory: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_msgraph()
    server = graph_factory(loads(RECORDED.read_bytes()))
    monkeypatch.setenv("GOVKIT_GRAPH_TOKEN", "test-token")
    code, report, err = check(capsys, "--identities", "graph", "--graph-url", server.url)
    assert code == 1
    assert [(c, line) for c, line, _ in found(report)] == [(c, line) for c, line, _ in EXPECTED]
    assert "against Microsoft Graph" not in err  # json format: the summary is in the report


def test_check_against_a_directory_without_any_declared_group_names_the_tenant(
    graph_factory: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_msgraph()
    # Another tenant: it answers every lookup, and has none of the spec's groups.
    server = graph_factory(make_identities("file", [], [], []))
    monkeypatch.setenv("GOVKIT_GRAPH_TOKEN", "test-token")
    code, report, err = check(capsys, "--identities", "graph", "--graph-url", server.url)
    assert code == 1
    assert {r["code"] for r in report["diagnostics"]} >= {"GOV406"}
    assert "warning: none of the 24 declared groups exists in Microsoft Graph" in err
    assert "most likely the wrong tenant" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON at line 1 column 1"),
        ('{"format": "govkit.identities/v1", "source": "file", "groups": {}}',
         "invalid identities document at groups"),
        ('{"format": "govkit.identities/v1", "source": "file",'
         ' "groups": [{"display_name": "x", "members": ["device:1"]}]}',
         "groups.0.members.0: member 'device:1' is not user:NAME"),
    ],
)  # fmt: skip
def test_bad_identities_file_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    bad = tmp_path / "ids.json"
    bad.write_text(text)
    code, report, err = check(capsys, "--identities", str(bad))
    assert code == 1 and report is None
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def _declared() -> tuple[list[str], list[str]]:
    """The bundled spec's groups and service principal application ids, from its YAML."""
    data = yaml.safe_load((CATALOGS / "principals.yaml").read_text())
    return sorted(data["groups"]), [
        sp["application_id"] for sp in data["service_principals"].values()
    ]


def _account(ucserver: Any, groups: list[str], local: tuple[str, ...] = ()) -> None:
    """The Databricks account knows `groups` (the workspace also has `local` groups) and every
    declared service principal."""
    seed_groups(ucserver.store, groups, workspace_local=local)
    for n, app_id in enumerate(_declared()[1], start=1):
        ucserver.store.service_principals[str(n)] = {"id": str(n), "applicationId": app_id}


def _account_findings(report: Any) -> list[tuple[str, int, int, str]]:
    return [(r["file"], r["line"], r["col"], r["message"])
            for r in report["diagnostics"] if r["code"] == "GOV416"]  # fmt: skip


def _use(monkeypatch: pytest.MonkeyPatch, host: str, token: str) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", host)
    monkeypatch.setenv("DATABRICKS_TOKEN", token)


@pytest.fixture
def on_account_host(ucserver: Any, databricks_env: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    # What a platform team gives the check: the account host (its account id from the host's
    # metadata) and a token.
    _use(monkeypatch, ucserver.add_host("account"), ucserver.token)
    return ucserver


def test_every_declared_principal_in_the_account_means_no_gov416(
    on_account_host: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _account(on_account_host, _declared()[0])
    code, report, _ = check(capsys, "--identities", str(RECORDED), "--databricks")
    assert code == 1  # the bundled directory's own findings (see EXPECTED)
    assert _account_findings(report) == []
    account_pages = [s for s in on_account_host.requests if "/accounts/" in s.target]
    assert {s.target.split("?")[0].rsplit("/", 1)[1] for s in account_pages} == {
        "Groups",
        "ServicePrincipals",
    }


def test_missing_and_workspace_local_groups_are_found_at_their_declarations(
    ucserver: Any, databricks_env: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Through a workspace: finance-analysts is not there at all, risk-analysts only as a
    # workspace-local group (which cannot hold a Unity Catalog grant).
    groups = [g for g in _declared()[0] if g not in ("finance-analysts", "risk-analysts")]
    _account(ucserver, groups, local=("risk-analysts",))
    _use(monkeypatch, ucserver.url, ucserver.token)
    code, report, _ = check(capsys, "--identities", str(RECORDED), "--databricks")
    assert code == 1
    principals = str(CATALOGS / "principals.yaml")
    assert [(f, line, col) for f, line, col, _ in _account_findings(report)] == [
        (principals, 19, 3), (principals, 28, 3)
    ]  # fmt: skip
    assert [m for *_, m in _account_findings(report)] == [
        "group finance-analysts is not an account-level group in Databricks",
        "group risk-analysts is not an account-level group in Databricks",
    ]


def test_groups_that_cannot_be_read_fail_closed(
    ucserver_factory: Any, databricks_env: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    server = ucserver_factory(faults=Faults(fail_paths=("/scim/v2/Groups",)))
    _account(server, _declared()[0])
    _use(monkeypatch, server.add_host("account"), server.token)
    code, report, _ = check(capsys, "--identities", str(RECORDED), "--databricks")
    assert code == 1
    found = _account_findings(report)
    # Named, with where it was read; no group is reported missing on data that was not read.
    assert [(f, m.split(" (")[0]) for f, _, _, m in found] == [
        ("databricks", "could not read account groups")
    ]
    assert f"account {server.store.account_id}" in found[0][3]


def test_service_principals_missing_from_the_account(
    on_account_host: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # The account knows every group but one service principal of the spec (the prod deployer).
    seed_groups(on_account_host.store, _declared()[0])
    on_account_host.store.service_principals["1"] = {
        "id": "1", "applicationId": "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d", "active": True
    }  # fmt: skip
    code, report, _ = check(capsys, "--identities", str(RECORDED), "--databricks")
    assert code == 1
    messages = [m for *_, m in _account_findings(report)]
    assert len(messages) == 8  # all but the prod deployer
    assert all("is not an account-level principal" in m for m in messages)
    assert not any("sp-uc-deploy-prod" in m for m in messages)
