"""Storage credentials and external locations through the real provider and the local server:
applied, re-planned clean, changed out of band through databricks-sdk, seen by `govkit drift`
through both readers, put right by `terraform apply`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.conftest import TODAY
from tests.terraform.estate import Estate, metastore

pytestmark = pytest.mark.terraform

READERS = (("workspace",), ("warehouse", "--warehouse-id", "w1"))


def _drift(
    estate: Estate, capsys: pytest.CaptureFixture[str], reader: tuple[str, ...], fmt: str = "json"
) -> tuple[int, str]:
    args = [str(estate.spec), "--env", "prod", "--as-of", TODAY.isoformat(), "--format", fmt]
    code = main(["drift", *args, "--source", *reader])
    return code, capsys.readouterr().out


def _changes(out: str) -> list[tuple[str, str, str | None]]:
    changes = json.loads(out)["changes"] if out.strip() else []
    return [(c["kind"], c["securable"], c["principal"]) for c in changes]


def test_golden_storage_applies_plans_clean_and_drift_sees_out_of_band_changes(
    golden: Estate,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    with metastore(golden) as running:
        storage = [s for s in golden.in_order() if s.kind == "storage"]
        assert [s.id for s in storage] == ["dev/_storage", "prod/_storage"]
        golden.each(lambda stack: golden.terraform(stack, running.provider_env(stack)).apply())
        for stack in golden.in_order():
            if stack.kind in ("shared", "storage"):
                assert not golden.terraform(stack, running.provider_env(stack)).plan(None), stack.id
        objects = running.server.store.objects
        held = {
            (t.value, n): o
            for (t, n), o in objects.items()
            if t.value.endswith(("location", "credential"))
        }
        assert set(held) == {
            ("storage_credential", "cred-dev"),
            ("storage_credential", "cred-prod"),
            ("external_location", "lake-dev"),
            ("external_location", "lake-prod"),
            ("external_location", "vendor-feed-prod"),
        }
        feed = held[("external_location", "vendor-feed-prod")]
        assert (feed.extra["url"], feed.extra["read_only"]) == ("s3://vendor-feed/acme", True)
        # In prod the deployer owns storage; the grants are exactly the declared ones.
        assert feed.owner == "00000000-0000-4000-8000-000000000001"
        assert feed.grants == {"00000000-0000-4000-8000-000000000002": {"READ_FILES"}}
        assert held[("storage_credential", "cred-prod")].extra["aws_iam_role"]["role_arn"] == (
            "arn:aws:iam::123456789012:role/uc-prod"
        )

        prod = golden.stack("prod/_storage")
        monkeypatch.setenv("HOME", str(tmp_path))
        for name, value in running.provider_env(prod).items():
            monkeypatch.setenv(name, value)
        for reader in READERS:
            code, out = _drift(golden, capsys, reader)
            assert (code, _changes(out)) == (0, []), reader

        w = running.workspace_client("prod")
        add = [PermissionsChange(principal="sales-analysts", add=[Privilege.WRITE_FILES])]
        w.grants.update("external_location", "lake-prod", changes=add)
        w.external_locations.update("vendor-feed-prod", read_only=False)
        expected = [
            ("unexpected_grant", "lake-prod", "sales-analysts"),
            ("read_only_mismatch", "vendor-feed-prod", None),
        ]
        for reader in READERS:
            code, out = _drift(golden, capsys, reader)
            assert (code, _changes(out)) == (2, expected), reader
        code, text = _drift(golden, capsys, READERS[0], "text")
        assert "~ read_only_mismatch: read_only: expected true, live false;" in text
        assert "- unexpected_grant: sales-analysts holds undeclared WRITE_FILES;" in text

        tf = golden.terraform(prod, running.provider_env(prod))
        assert tf.plan()
        tf.apply("govkit.tfplan")
        for reader in READERS:
            code, out = _drift(golden, capsys, reader)
            assert (code, _changes(out)) == (0, []), reader
