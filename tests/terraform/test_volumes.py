"""Volumes, compiled into the domain stack and `terraform validate`d with the real provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.compile.runner import apply_stacks
from tests.conftest import TODAY
from tests.spec.test_bad_input import BASE, write_spec
from tests.spec.test_volumes import DOMAIN, ORGANISATION
from tests.terraform.estate import compile_estate, metastore

pytestmark = pytest.mark.terraform


def test_volumes_compile_into_the_domain_stack_and_validate(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    write_spec(spec, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": DOMAIN})
    estate = compile_estate(spec, tmp_path / "work")
    stack = next(s for s in estate.stacks if s.id == "prod/sales")
    call = stack.document["module"]["domain"]
    assert call["volumes"] == [
        {
            "schema": "raw",
            "name": "landing",
            "owner": "11111111-2222-4333-8444-555555555555",
            "comment": "",
            "storage_location": "s3://landing/prod/sales",
        },
        {
            "schema": "raw",
            "name": "scratch",
            "owner": "11111111-2222-4333-8444-555555555555",
            "comment": "Managed files",
        },
    ]
    on_volumes = {(g["securable_name"], g["principal"]) for g in call["grants"]}
    assert ("sales_prod.raw.landing", "sales-analysts") in on_volumes
    estate.init()
    results = estate.each(lambda stack: estate.terraform(stack).validate())
    assert {k: r["diagnostics"] for k, r in results.items() if not r["valid"]} == {}


def test_volumes_apply_through_the_provider_and_plan_no_changes(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    write_spec(spec, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": DOMAIN})
    estate = compile_estate(spec, tmp_path / "work")
    chosen = [s for s in estate.in_order() if s.environment == "prod"]
    with metastore(estate) as running:
        for stack in chosen:
            estate.terraform(stack).init()
        apply_stacks([(s.id, estate.terraform(s, running.provider_env(s))) for s in chosen])
        w = running.workspace_client("prod")
        landing = w.volumes.read("sales_prod.raw.landing")
        scratch = w.volumes.read("sales_prod.raw.scratch")
        grants = w.grants.get("volume", "sales_prod.raw.landing").privilege_assignments
        replanned = [
            s.id for s in chosen if estate.terraform(s, running.provider_env(s)).plan(None)
        ]
    assert (landing.volume_type.value, landing.storage_location) == (
        "EXTERNAL",
        "s3://landing/prod/sales",
    )
    assert (scratch.volume_type.value, scratch.comment) == ("MANAGED", "Managed files")
    assert [(a.principal, [p.value for p in a.privileges]) for a in grants] == [
        ("sales-analysts", ["READ_VOLUME"])
    ]
    assert replanned == []


def test_drift_reads_volumes_back_and_sees_an_out_of_band_write_grant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    spec = tmp_path / "spec"
    write_spec(spec, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": DOMAIN})
    estate = compile_estate(spec, tmp_path / "work")
    chosen = [s for s in estate.in_order() if s.environment == "prod"]
    monkeypatch.setenv("HOME", str(tmp_path))
    with metastore(estate) as running:
        for stack in chosen:
            estate.terraform(stack).init()
        apply_stacks([(s.id, estate.terraform(s, running.provider_env(s))) for s in chosen])
        for name, value in running.provider_env(estate.stack("prod/sales")).items():
            monkeypatch.setenv(name, value)
        clean = _drift(spec, capsys)
        add = [PermissionsChange(principal="sales-owners", add=[Privilege.WRITE_VOLUME])]
        running.workspace_client("prod").grants.update(
            "volume", "sales_prod.raw.scratch", changes=add
        )
        changed = _drift(spec, capsys)
        args = [str(spec), "--env", "prod", "--as-of", TODAY.isoformat()]
        unread = main(["drift", *args, "--source", "warehouse", "--warehouse-id", "w1"])
        refused = capsys.readouterr()
    assert clean == (0, [])
    # The warehouse reader reads no volumes yet: it refuses, rather than call them missing.
    assert unread == 1 and refused.out == ""
    assert "the warehouse reader does not read volumes yet" in refused.err
    assert changed == (2, [("unexpected_grant", "sales_prod.raw.scratch", "sales-owners")])


def _drift(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[tuple[str, ...]]]:
    args = [str(spec), "--env", "prod", "--as-of", TODAY.isoformat(), "--format", "json"]
    code = main(["drift", *args, "--source", "workspace"])
    out = capsys.readouterr().out
    changes = json.loads(out)["changes"] if out.strip() else []
    return code, [(c["kind"], c["securable"], c["principal"]) for c in changes]
