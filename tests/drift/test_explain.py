"""Explained drift: who changed a grant or an owner out of band, and when."""

from __future__ import annotations

import json

import pytest

from govkit.drift.explain import AuditFormatError, explain, parse_audit_text, rows_to_events
from govkit.drift.model import DriftReport
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
