"""Remediation: SQL that restores the spec; a YAML patch that adopts the live state."""

from __future__ import annotations

import yaml

from govkit.drift.patch import SpecIndex, emit_yaml
from govkit.drift.remediate import emit_sql, quote, securable_sql
from govkit.privileges import SecurableType
from tests.drift.states import DEPLOYER, READ, catalog, desired_estate, diff, schema, table


def test_identifiers_are_backticked_and_backticks_doubled() -> None:
    assert quote("a`b") == "`a``b`"
    assert securable_sql(SecurableType.TABLE, "c.s.t") == "TABLE `c`.`s`.`t`"
    assert securable_sql(SecurableType.EXTERNAL_LOCATION, "x.y") == "EXTERNAL LOCATION `x.y`"


def test_sql_grants_revokes_and_sets_owners() -> None:
    live = [
        catalog(grants={"finance-analysts": ["SELECT"], "rogue`s": ["MODIFY"]}),
        schema(owner="alice@example.com"),
        table(grants={"execs": ["SELECT"]}),
        schema("finance_prod.scratch"),
    ]
    sql = emit_sql(diff(desired_estate(), live)).splitlines()
    assert "GRANT USE CATALOG, USE SCHEMA ON CATALOG `finance_prod` TO `finance-analysts`;" in sql
    assert "REVOKE MODIFY ON CATALOG `finance_prod` FROM `rogue``s`;" in sql
    assert f"ALTER SCHEMA `finance_prod`.`reporting` OWNER TO `{DEPLOYER}`;" in sql
    assert any(line.startswith("-- not by SQL: schema finance_prod.scratch") for line in sql)


def test_sql_leaves_unmanaged_grants_of_additive_securables_alone() -> None:
    live = [
        catalog(grants={"finance-analysts": READ, "rogue": ["SELECT"]}),
        schema(),
        table(grants={"execs": ["SELECT"]}),
    ]
    report = diff(desired_estate(), live, authority={("catalog", "finance_prod"): "additive"})
    sql = emit_sql(report)
    assert "REVOKE" not in sql
    assert "-- not by SQL: catalog finance_prod: rogue holds undeclared SELECT" in sql


def test_yaml_patch_adopts_live_grants_where_the_securable_is_declared() -> None:
    live = [
        catalog(grants={"finance-analysts": READ, "rogue": ["SELECT"]}),
        schema(),
        table(grants={}),
    ]
    index = SpecIndex(
        declared=frozenset({"rogue", "execs"}),
        securables={
            ("catalog", "finance_prod"): ("catalogs/domains/finance.yaml", ()),
            ("table", "finance_prod.reporting.revenue"): (
                "catalogs/domains/finance.yaml",
                ("schemas", "reporting", "tables", "revenue"),
            ),
        },
        grants={
            ("table", "finance_prod.reporting.revenue", "execs"): (
                (
                    "catalogs/domains/finance.yaml",
                    ("schemas", "reporting", "tables", "revenue", "grants", 0),
                ),
            )
        },
    )
    doc = yaml.safe_load(emit_yaml(diff(desired_estate(), live), index))
    assert doc["format"] == "govkit.spec-patch/v1"
    assert doc["edits"] == [
        {
            "change": "unexpected_grant",
            "securable": "catalog finance_prod",
            "file": "catalogs/domains/finance.yaml",
            "at": "grants",
            "append": {
                "principal": "rogue",
                "privileges": ["SELECT"],
                "environments": ["prod"],
                "reason": "adopted from the live state by govkit drift",
            },
        },
        {
            "change": "missing_grant",
            "securable": "table finance_prod.reporting.revenue",
            "file": "catalogs/domains/finance.yaml",
            "at": "schemas.reporting.tables.revenue.grants.0",
            "drop_privileges": ["SELECT"],
        },
    ]


def test_an_expired_grant_is_revoked_by_sql_or_renewed_by_the_patch() -> None:
    from govkit.drift.compare import ExpiredGrant

    key = ("schema", "finance_prod.reporting")
    expired = ExpiredGrant(key, "marketing-analysts", ("SELECT",), "2026-09-30")
    live = [
        catalog(),
        schema(grants={"marketing-analysts": ["SELECT"]}),
        table(grants={"execs": ["SELECT"]}),
    ]
    report = diff(desired_estate(), live, expired=(expired,))
    assert (
        "REVOKE SELECT ON SCHEMA `finance_prod`.`reporting` FROM `marketing-analysts`;"
        in emit_sql(report)
    )
    grant_at = ("schemas", "reporting", "grants", 0)
    index = SpecIndex(grants={(*key, "marketing-analysts"): (("f.yaml", grant_at),)})
    (edit,) = yaml.safe_load(emit_yaml(report, index))["edits"]
    assert edit["at"] == "schemas.reporting.grants.0.expires"
    assert edit["change"] == "expired_grant_live"
