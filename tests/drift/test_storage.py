"""Drift on storage: credentials, external locations and catalog storage roots, from
hand-written states, through the text and JSON renderers and both remediations."""

from __future__ import annotations

import json

import yaml
from msgspec.structs import replace

from govkit.drift.patch import SpecIndex, emit_yaml
from govkit.drift.remediate import emit_sql
from govkit.drift.render import render_json, render_text
from govkit.privileges import SecurableType
from govkit.state import Securable, Storage, make_securable
from tests.drift.states import DEPLOYER, catalog, diff, kinds

LAKE = "abfss://lake@stmeridianprod.dfs.core.windows.net"


def location(
    name: str = "lake-prod",
    grants: dict[str, list[str]] | None = None,
    read_only: bool = False,
    url: str = f"{LAKE}/raw",
    credential: str = "cred-prod",
    owner: str = DEPLOYER,
) -> Securable:
    return make_securable(
        SecurableType.EXTERNAL_LOCATION,
        name,
        owner,
        grants if grants is not None else {"data-engineers": ["READ_FILES"]},
        storage=Storage(url=url, credential=credential, read_only=read_only),
    )


def credential(read_only: bool = False, owner: str = DEPLOYER) -> Securable:
    return make_securable(
        SecurableType.STORAGE_CREDENTIAL,
        "cred-prod",
        owner,
        {"platform-admins": ["BROWSE"]},
        storage=Storage(read_only=read_only),
    )


def rooted(root: str | None = f"{LAKE}/managed/finance") -> Securable:
    return replace(catalog(), storage_root=root)


def estate() -> list[Securable]:
    return [rooted(), credential(), location()]


def test_identical_storage_has_no_drift_and_a_trailing_slash_is_no_change() -> None:
    assert diff(estate(), estate()).changes == ()
    slashed = [rooted(f"{LAKE}/managed/finance/"), credential(), location(url=f"{LAKE}/raw/")]
    assert diff(estate(), slashed).changes == ()


def test_an_out_of_band_grant_and_read_only_on_a_location_are_exactly_those_changes() -> None:
    live = [
        rooted(),
        credential(),
        location(grants={"data-engineers": ["READ_FILES"], "intruders": ["WRITE_FILES"]},
                 read_only=True),
    ]  # fmt: skip
    report = diff(estate(), live)
    assert kinds(report) == [
        ("read_only_mismatch", "lake-prod", None, ()),
        ("unexpected_grant", "lake-prod", "intruders", ("WRITE_FILES",)),
    ]
    flag = report.changes[0]
    assert (flag.mark, flag.expected, flag.actual) == ("~", False, True)
    text = render_text(report)
    assert "  # external_location lake-prod" in text
    assert "~ read_only_mismatch: read_only: expected false, live true;" in text
    assert "- unexpected_grant: intruders holds undeclared WRITE_FILES;" in text
    document = json.loads(render_json(report))
    assert next((c["kind"], c["expected"], c["actual"]) for c in document["changes"]) == (
        "read_only_mismatch", False, True,
    )  # fmt: skip


def test_owner_url_credential_and_storage_root_each_name_expected_and_live() -> None:
    live = [
        rooted(f"{LAKE}/elsewhere"),
        credential(read_only=True, owner="alice@meridian.example"),
        location(url=f"{LAKE}/moved", credential="cred-other"),
    ]
    report = diff(estate(), live)
    assert [(c.kind.value, c.securable, c.expected, c.actual) for c in report.changes] == [
        ("storage_root_mismatch", "finance_prod", f"{LAKE}/managed/finance", f"{LAKE}/elsewhere"),
        ("url_mismatch", "lake-prod", f"{LAKE}/raw", f"{LAKE}/moved"),
        ("credential_mismatch", "lake-prod", "cred-prod", "cred-other"),
        ("owner_mismatch", "cred-prod", DEPLOYER, "alice@meridian.example"),
        ("read_only_mismatch", "cred-prod", False, True),
    ]
    assert "replace the catalog" in report.changes[0].consequence
    assert [c.kind.code for c in report.changes] == [
        "GOV509", "GOV510", "GOV511", "GOV503", "GOV512",
    ]  # fmt: skip


def test_a_catalog_without_a_declared_root_drifts_when_one_appears_live() -> None:
    plain = [catalog(), credential(), location()]
    report = diff(plain, [rooted(), credential(), location()])
    assert kinds(report) == [("storage_root_mismatch", "finance_prod", None, ())]
    assert report.changes[0].expected is None


def test_undeclared_storage_is_reported_only_with_all() -> None:
    live = [*estate(), location("shadow", url=f"{LAKE}/shadow")]
    assert diff(estate(), live).changes == ()
    everything = diff(estate(), live, include_all=True)
    assert kinds(everything) == [("unmanaged_securable", "shadow", None, ())]


def test_sql_restores_owner_url_credential_and_grants_and_names_what_it_cannot() -> None:
    live = [
        rooted(f"{LAKE}/elsewhere"),
        credential(owner="alice@meridian.example"),
        location(grants={"intruders": ["WRITE_FILES"]}, url=f"{LAKE}/it's", credential="other",
                 read_only=True),
    ]  # fmt: skip
    sql = emit_sql(diff(estate(), live)).splitlines()
    location_sql = "EXTERNAL LOCATION `lake-prod`"
    assert f"ALTER {location_sql} SET URL '{LAKE}/raw';" in sql
    assert f"ALTER {location_sql} SET STORAGE CREDENTIAL `cred-prod`;" in sql
    assert f"GRANT READ FILES ON {location_sql} TO `data-engineers`;" in sql
    assert f"REVOKE WRITE FILES ON {location_sql} FROM `intruders`;" in sql
    assert f"ALTER STORAGE CREDENTIAL `cred-prod` OWNER TO `{DEPLOYER}`;" in sql
    assert any(s.startswith("-- not by SQL: external_location lake-prod: read_only") for s in sql)
    assert any(s.startswith("-- not by SQL: catalog finance_prod: storage root") for s in sql)


def test_yaml_patch_adopts_live_storage_fields_where_they_are_declared() -> None:
    live = [rooted(f"{LAKE}/elsewhere"), credential(), location(read_only=True)]
    index = SpecIndex(
        securables={
            ("catalog", "finance_prod"): ("catalogs/finance.yaml", ()),
            ("external_location", "lake-prod"): (
                "catalogs/govkit.yaml", ("external_locations", "lake-prod"),
            ),
        },
    )  # fmt: skip
    patch = yaml.safe_load(emit_yaml(diff(estate(), live), index))
    assert [(e["file"], e["at"], e["set"]) for e in patch["edits"]] == [
        ("catalogs/finance.yaml", "storage_root.prod", f"{LAKE}/elsewhere"),
        ("catalogs/govkit.yaml", "external_locations.lake-prod.read_only", True),
    ]
