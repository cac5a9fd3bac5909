"""The pure diff: hand-written desired and live states in, changes out."""

from __future__ import annotations

from govkit.drift.compare import ExpiredGrant
from govkit.drift.render import render_text
from tests.drift.states import (
    DEPLOYER,
    READ,
    catalog,
    desired_estate,
    diff,
    kinds,
    schema,
    table,
)

SP_UNUSED = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def test_identical_states_have_no_drift() -> None:
    report = diff(desired_estate(), desired_estate())
    assert report.changes == ()
    assert not report.drifted
    assert report.compared.desired == report.compared.live == 3


def test_missing_securable_is_reported_once_without_its_grants() -> None:
    report = diff(desired_estate(), [catalog(), schema()])
    assert kinds(report) == [
        ("missing_securable", "finance_prod.reporting.revenue", None, ()),
    ]
    change = report.changes[0]
    assert change.mark == "+"
    assert change.expected == DEPLOYER
    assert "pipeline" in change.consequence  # tables are not created by the apply


def test_unmanaged_securables_inside_managed_catalogs_only_unless_all() -> None:
    live = [*desired_estate(), schema("finance_prod.scratch"), catalog("sandbox")]
    default = diff(desired_estate(), live)
    assert kinds(default) == [("unmanaged_securable", "finance_prod.scratch", None, ())]
    assert default.changes[0].mark == "!"
    everything = diff(desired_estate(), live, include_all=True)
    assert [c.securable for c in everything.changes] == ["sandbox", "finance_prod.scratch"]


def test_owner_isolation_and_binding_mismatches_name_expected_and_actual() -> None:
    live = [
        catalog(owner="alice@example.com", isolation="OPEN", workspaces=(3001, 9999)),
        schema(),
        table(owner="bob@example.com", grants={"execs": ["SELECT"]}),
    ]
    report = diff(desired_estate(), live)
    by_kind = {(c.kind.value, c.securable): c for c in report.changes}
    owner = by_kind[("owner_mismatch", "finance_prod")]
    assert (owner.mark, owner.expected, owner.actual) == ("~", DEPLOYER, "alice@example.com")
    assert by_kind[("isolation_mismatch", "finance_prod")].actual == "OPEN"
    binding = by_kind[("binding_mismatch", "finance_prod")]
    assert (binding.expected, binding.actual) == ((3001, 3002), (3001, 9999))
    assert "binds 3002" in binding.consequence and "does not unbind 9999" in binding.consequence
    table_owner = by_kind[("owner_mismatch", "finance_prod.reporting.revenue")]
    assert "--emit sql" in table_owner.consequence  # Terraform does not own table owners


def test_grant_deltas_per_principal_split_missing_and_unexpected() -> None:
    live = [
        catalog(
            grants={
                "finance-analysts": ["SELECT", "USE_CATALOG", "MODIFY"],
                "rogue": ["ALL_PRIVILEGES"],
            }
        ),
        schema(),
        table(grants={}),
    ]
    report = diff(desired_estate(), live)
    assert kinds(report) == [
        ("missing_grant", "finance_prod", "finance-analysts", ("USE_SCHEMA",)),
        ("unexpected_grant", "finance_prod", "finance-analysts", ("MODIFY",)),
        ("unexpected_grant", "finance_prod", "rogue", ("ALL_PRIVILEGES",)),
        ("missing_grant", "finance_prod.reporting.revenue", "execs", ("SELECT",)),
    ]
    first = report.changes[0]
    assert first.expected == READ
    assert first.actual == ("MODIFY", "SELECT", "USE_CATALOG")
    assert all(c.mark in "+-" for c in report.changes)
    assert report.changes[2].consequence == "the next apply revokes it"


def test_additive_leaves_undeclared_principals_alone_but_revokes_extras_of_declared() -> None:
    live = [
        catalog(grants={"finance-analysts": [*READ, "MODIFY"], "rogue": ["SELECT"]}),
        schema(),
        table(grants={"execs": ["SELECT"]}),
    ]
    report = diff(desired_estate(), live, authority={("catalog", "finance_prod"): "additive"})
    marks = {(c.principal, c.mark, c.consequence) for c in report.changes}
    assert marks == {
        ("finance-analysts", "-", "the next apply revokes it"),
        ("rogue", "!", "unmanaged, left alone"),
    }
    assert report.summary.unmanaged == 1 and report.summary.remove == 1


def test_expired_grant_still_live_is_its_own_kind() -> None:
    expired = ExpiredGrant(
        ("schema", "finance_prod.reporting"), "marketing-analysts", ("SELECT",), "2026-09-30"
    )
    live = [
        catalog(),
        schema(grants={"marketing-analysts": ["SELECT", "MODIFY"]}),
        table(grants={"execs": ["SELECT"]}),
    ]
    report = diff(desired_estate(), live, expired=(expired,))
    assert kinds(report) == [
        ("unexpected_grant", "finance_prod.reporting", "marketing-analysts", ("MODIFY",)),
        ("expired_grant_live", "finance_prod.reporting", "marketing-analysts", ("SELECT",)),
    ]
    assert report.changes[1].expires == "2026-09-30"
    assert report.changes[1].mark == "-"


ADDITIVE = {
    ("catalog", "finance_prod"): "additive",
    ("schema", "finance_prod.reporting"): "additive",
    ("table", "finance_prod.reporting.revenue"): "additive",
}


def test_ignored_principals_are_counted_not_reported_where_the_apply_leaves_them() -> None:
    live = [
        catalog(
            grants={"finance-analysts": READ, "metastore-admins": ["MANAGE"], DEPLOYER: ["MANAGE"]}
        ),
        schema(grants={"metastore-admins": ["ALL_PRIVILEGES"]}),
        table(grants={"execs": ["SELECT"]}),
    ]
    ignore = {"metastore-admins", DEPLOYER}
    report = diff(desired_estate(), live, authority=ADDITIVE, ignore=ignore)  # type: ignore[arg-type]
    assert report.changes == ()
    assert report.summary.ignored == 3
    assert report.ignored.changes == {DEPLOYER: 1, "metastore-admins": 2}


def test_an_ignored_principal_on_an_authoritative_securable_is_drift_the_apply_revokes() -> None:
    # databricks_grants replaces every principal's grants: the apply spares no one, so drift
    # may not either.
    live = [
        catalog(grants={"finance-analysts": READ, "metastore-admins": ["MANAGE"]}),
        schema(),
        table(grants={"execs": ["SELECT"]}),
    ]
    report = diff(desired_estate(), live, ignore={"metastore-admins"})
    assert kinds(report) == [("unexpected_grant", "finance_prod", "metastore-admins", ("MANAGE",))]
    assert report.changes[0].mark == "-"
    assert report.changes[0].consequence.startswith("the next apply revokes it")
    assert report.summary.ignored == 0


def test_an_ignored_principal_declared_on_an_additive_securable_is_compared() -> None:
    # Its databricks_grant sets exactly the declared privileges: the apply fights over them.
    desired = [catalog(grants={"finance-analysts": READ, "metastore-admins": ["BROWSE"]})]
    live = [catalog(grants={"finance-analysts": READ, "metastore-admins": ["BROWSE", "MANAGE"]})]
    additive = {("catalog", "finance_prod"): "additive"}
    report = diff(desired, live, authority=additive, ignore={"metastore-admins"})  # type: ignore[arg-type]
    assert kinds(report) == [("unexpected_grant", "finance_prod", "metastore-admins", ("MANAGE",))]
    assert report.changes[0].mark == "-"


def test_owner_change_to_an_ignored_principal_is_still_drift() -> None:
    live = [catalog(owner="metastore-admins"), schema(), table(grants={"execs": ["SELECT"]})]
    report = diff(desired_estate(), live, ignore={"metastore-admins"})
    assert kinds(report) == [("owner_mismatch", "finance_prod", None, ())]


def test_changes_are_sorted_and_the_result_is_deterministic() -> None:
    live = [
        catalog(grants={"z-team": ["SELECT"], "a-team": ["SELECT"]}),
        schema(owner="x@example.com"),
    ]
    first = diff(desired_estate(), live)
    second = diff(list(reversed(desired_estate())), list(reversed(live)))
    assert first == second
    assert [c.securable_type.value for c in first.changes] == ["catalog"] * 3 + ["schema", "table"]


def test_names_map_uc_names_to_declared_names_for_display() -> None:
    live = [catalog(owner="alice@example.com"), schema(), table(grants={"execs": ["SELECT"]})]
    names = {DEPLOYER: "sp-uc-deploy-prod", "execs": "execs", SP_UNUSED: "sp-never-in-a-change"}
    report = diff(desired_estate(), live, names=names)
    # Only principals a change names, and only where the declared name differs.
    assert report.names == {DEPLOYER: "sp-uc-deploy-prod"}
    assert f"owner: expected sp-uc-deploy-prod ({DEPLOYER}), live alice@example.com" in render_text(
        report
    )


def test_a_name_shared_by_two_types_never_pairs_them() -> None:
    from govkit.privileges import SecurableType
    from govkit.state import make_securable

    location = make_securable(SecurableType.EXTERNAL_LOCATION, "finance_prod", DEPLOYER, {})
    report = diff(desired_estate(), [location, *desired_estate()[1:]], include_all=True)
    assert kinds(report) == [
        ("missing_securable", "finance_prod", None, ()),
        ("unmanaged_securable", "finance_prod", None, ()),
    ]
    assert [c.securable_type.value for c in report.changes] == ["catalog", "external_location"]
