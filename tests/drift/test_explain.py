"""Explained drift: who changed a grant or an owner out of band, and when."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govkit.drift.explain import AuditFormatError, explain, parse_audit_text, rows_to_events
from govkit.drift.model import DriftReport
from tests.conftest import CATALOGS, TODAY
from tests.drift.states import READ, catalog, desired_estate, diff, schema, table


def _grant_row(
    at: str, who: str, securable: str, principal: str, add: list[str]
) -> dict[str, object]:
    return {
        "event_time": at,
        "user_identity": {"email": who},
        "service_name": "unityCatalog",
        "action_name": "updatePermissions",
        # request_params is a map of strings: `changes` arrives as JSON text.
        "request_params": {
            "securable_type": "catalog",
            "securable_full_name": securable,
            "changes": json.dumps([{"principal": principal, "add": add}]),
        },
        "response": {"status_code": 200},
    }


def _owner_row(at: str, who: str, securable: str, owner: str) -> dict[str, object]:
    return {
        "event_time": at,
        "user_identity": {"email": who},
        "service_name": "unityCatalog",
        "action_name": "updateCatalog",
        "request_params": {"full_name_arg": securable, "owner": owner},
        "response": {"status_code": 200},
    }


def _drifted() -> DriftReport:
    live = [
        catalog(owner="alice@example.com", grants={"finance-analysts": READ, "rogue": ["SELECT"]}),
        schema(),
        table(grants={"execs": ["SELECT"]}),
    ]
    return diff(desired_estate(), live)


def test_unexpected_grant_and_owner_change_say_who_and_when() -> None:
    rows = [
        _grant_row("2026-11-20T09:00:00Z", "old@example.com", "finance_prod", "rogue", ["SELECT"]),
        _grant_row(
            "2026-11-25T10:00:00Z", "mallory@example.com", "finance_prod", "rogue", ["SELECT"]
        ),
        _grant_row("2026-11-25T11:00:00Z", "eve@example.com", "finance_prod", "other", ["SELECT"]),
        _owner_row(
            "2026-11-25T12:00:00Z", "alice@example.com", "finance_prod", "alice@example.com"
        ),
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n"  # JSON lines
    report = explain(_drifted(), parse_audit_text(text))
    why = {c.kind.value: c.explanation for c in report.changes}
    assert why["unexpected_grant"] is not None
    assert (why["unexpected_grant"].actor, why["unexpected_grant"].at) == (
        "mallory@example.com",
        "2026-11-25T10:00:00Z",
    )
    assert why["owner_mismatch"] is not None
    assert why["owner_mismatch"].action == "updateCatalog"


def test_a_json_list_works_as_well_and_refused_requests_explain_nothing() -> None:
    refused = _grant_row(
        "2026-11-25T10:00:00Z", "x@example.com", "finance_prod", "rogue", ["SELECT"]
    )
    refused["response"] = {"status_code": 403}
    report = explain(_drifted(), parse_audit_text(json.dumps([refused])))
    assert all(c.explanation is None for c in report.changes)


def test_warehouse_rows_with_flat_columns_and_json_text() -> None:
    rows = [
        {
            "event_time": "2026-11-25T10:00:00.000Z",
            "user_email": "mallory@example.com",
            "action_name": "updatePermissions",
            "request_params": json.dumps(
                {
                    "securable_type": "catalog",
                    "securable_full_name": "finance_prod",
                    "changes": json.dumps([{"principal": "rogue", "add": ["select"]}]),
                }
            ),
            "status_code": "200",
        }
    ]
    report = explain(_drifted(), rows_to_events(rows))
    rogue = next(c for c in report.changes if c.principal == "rogue")
    assert rogue.explanation is not None and rogue.explanation.actor == "mallory@example.com"


def test_not_json_is_a_clear_error() -> None:
    with pytest.raises(AuditFormatError, match="not JSON lines or a JSON list"):
        parse_audit_text("{not json\n")
    with pytest.raises(AuditFormatError, match="JSON object"):
        parse_audit_text("[1, 2]")


def _storage_owner_row(action: str, name: str, owner: str) -> dict[str, object]:
    # As a real workspace writes them: the name in `name_arg`.
    return {
        "event_time": "2026-11-25T13:00:00Z",
        "user_identity": {"email": "mallory@example.com"},
        "service_name": "unityCatalog",
        "action_name": action,
        "request_params": {"name_arg": name, "owner": owner},
        "response": {"status_code": 200},
    }


def test_catalog_location_and_credential_owners_are_explained_from_name_arg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Owners changed through the real databricks-sdk; the local server writes the audit rows
    as a workspace does, and drift --audit warehouse says who made each change."""
    from databricks.sdk import WorkspaceClient

    from govkit.cli.main import main
    from govkit.pipeline import validate
    from govkit.testing import UCServer

    (prod,) = [e for e in validate(str(CATALOGS), TODAY).environments if e.name == "prod"]
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    with UCServer([prod.state]) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
        w = WorkspaceClient(host=server.url, token=server.token, auth_type="pat")
        w.catalogs.update("risk_prod", owner="mallory@example.com")
        w.external_locations.update("landing-prod", owner="mallory@example.com")
        w.storage_credentials.update("ac-uc-prod", owner="mallory@example.com")
        code = main(["drift", str(CATALOGS), "--env", "prod", "--as-of", TODAY.isoformat(),
                     "--source", "workspace", "--format", "json",
                     "--audit", "warehouse", "--warehouse-id", "wh1"])  # fmt: skip
    assert code == 2
    changes = json.loads(capsys.readouterr().out)["changes"]
    why = {c["securable"]: (c["kind"], (c["explanation"] or {}).get("action")) for c in changes}
    assert why == {
        "risk_prod": ("owner_mismatch", "updateCatalog"),
        "landing-prod": ("owner_mismatch", "updateExternalLocation"),
        "ac-uc-prod": ("owner_mismatch", "updateStorageCredential"),
    }


def test_an_event_on_a_credential_does_not_explain_a_catalog_of_the_same_name() -> None:
    live = [catalog(owner="alice@example.com", grants={"finance-analysts": READ}), schema(),
            table(grants={"execs": ["SELECT"]})]  # fmt: skip
    report = diff(desired_estate(), live)
    row = _storage_owner_row("updateStorageCredential", "finance_prod", "alice@example.com")
    explained = explain(report, parse_audit_text(json.dumps([row])))
    assert all(c.explanation is None for c in explained.changes)
    row["action_name"] = "updateCatalog"
    explained = explain(report, parse_audit_text(json.dumps([row])))
    owner = next(c for c in explained.changes if c.kind.value == "owner_mismatch")
    assert owner.explanation is not None and owner.explanation.actor == "mallory@example.com"
