"""Drift end to end through Terraform: the bundled estate applied by the real provider, changed
out of band through databricks-sdk, seen by `govkit drift` (both readers) and by `terraform
plan` alike, put right by `terraform apply`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.compile.runner import planned_changes
from tests.conftest import TODAY
from tests.terraform.estate import Estate, Metastore

pytestmark = pytest.mark.terraform

READERS = (("workspace",), ("warehouse", "--warehouse-id", "w1"))


def _drift(
    estate: Estate, capsys: pytest.CaptureFixture[str], reader: tuple[str, ...]
) -> tuple[int, list[tuple[str, str, str | None]]]:
    args = [str(estate.spec), "--env", "prod", "--as-of", TODAY.isoformat(), "--format", "json"]
    code = main(["drift", *args, "--source", *reader])
    out = capsys.readouterr().out
    changes = json.loads(out)["changes"] if out.strip() else []
    return code, [(c["kind"], c["securable"], c["principal"]) for c in changes]


@pytest.fixture
def prod_env(
    bundled: Estate, applied: Metastore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`govkit drift` of prod reads the applied metastore as the provider does."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name, value in applied.provider_env(bundled.stack("prod/finance")).items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("prod_env")
def test_out_of_band_changes_show_in_drift_and_plan_and_apply_puts_them_right(
    bundled: Estate, applied: Metastore, capsys: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    for reader in READERS:
        assert _drift(bundled, capsys, reader) == (0, []), reader

    w = applied.workspace_client("prod")
    add = [PermissionsChange(principal="risk-analysts", add=[Privilege.SELECT])]
    w.grants.update("catalog", "finance_prod", changes=add)
    w.schemas.update("finance_prod.ledger", owner="finance-owners")
    expected = [
        ("unexpected_grant", "finance_prod", "risk-analysts"),
        ("owner_mismatch", "finance_prod.ledger", None),
    ]
    for reader in READERS:
        assert _drift(bundled, capsys, reader) == (2, expected), reader

    tf = bundled.terraform(
        bundled.stack("prod/finance"), applied.provider_env(bundled.stack("prod/finance"))
    )
    assert tf.plan()
    assert planned_changes(tf.show_plan()) == [
        ('module.domain.databricks_schema.this["ledger"]', ("update",)),
        ('module.domain.module.grants.databricks_grants.this["catalog/finance_prod"]', ("update",)),
    ]
    tf.apply("govkit.tfplan")
    for reader in READERS:
        assert _drift(bundled, capsys, reader) == (0, []), reader
    assert not tf.plan(None)


@pytest.mark.usefixtures("prod_env")
def test_a_hand_made_grant_on_a_schema_without_grants_is_revoked_as_drift_says(
    bundled: Estate, applied: Metastore, capsys: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    stack = bundled.stack("prod/finance")
    w = applied.workspace_client("prod")
    add = [PermissionsChange(principal="risk-analysts", add=[Privilege.USE_SCHEMA])]
    w.grants.update("schema", "finance_prod.raw", changes=add)
    args = ["drift", str(bundled.spec), "--env", "prod", "--as-of", TODAY.isoformat()]
    assert main([*args, "--format", "json"]) == 2
    (change,) = json.loads(capsys.readouterr().out)["changes"]
    assert (change["securable"], change["principal"]) == ("finance_prod.raw", "risk-analysts")
    assert change["consequence"] == "the next apply revokes it"

    bundled.terraform(stack, applied.provider_env(stack)).apply()
    for reader in READERS:
        assert _drift(bundled, capsys, reader) == (0, []), reader
