"""`govkit identities check`: the bundled estate against its directory, by file and by Graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.identity.document import loads
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


def test_databricks_account_principals_through_the_sdk(
    ucserver: Any, databricks_env: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # The account knows one service principal of the spec (the prod deployer).
    ucserver.store.service_principals["1"] = {
        "id": "1", "applicationId": "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d", "active": True
    }  # fmt: skip
    monkeypatch.setenv("DATABRICKS_HOST", ucserver.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", ucserver.token)
    code, report, _ = check(capsys, "--identities", str(RECORDED), "--databricks")
    assert code == 1
    account = [r for r in report["diagnostics"] if r["code"] == "GOV416"]
    missing_sps = [r for r in account if "is not an account-level principal" in r["message"]]
    assert len(missing_sps) == 8  # all but the prod deployer
    assert not any("sp-uc-deploy-prod" in r["message"] for r in missing_sps)
    # This server has no SCIM Groups API: the groups could not be checked, and it says so.
    unread = [r for r in account if r["file"] == "databricks"]
    assert [r["message"].split(":")[0] for r in unread] == ["could not read account groups"]
