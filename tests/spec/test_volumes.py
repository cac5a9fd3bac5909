"""Volumes in the spec: a managed and an external volume validate; their paths are checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govkit.resolve import resolve
from govkit.spec.build import load_spec
from govkit.state import dumps, loads
from tests.spec.test_bad_input import BASE, CASES, run_validate, write_spec

ORGANISATION: str = CASES["volume-outside-every-external-location"]["files"]["govkit.yaml"]

DOMAIN = """\
domain: sales
owner: sales-owners
storage_root: {dev: s3://landing/dev/managed}
schemas:
  raw:
    volumes:
      scratch: {comment: Managed files}
      landing:
        owner: sales-owners
        storage_location: {dev: s3://landing/dev/sales, prod: s3://landing/prod/sales}
        grants:
          - {principal: sales-analysts, privileges: [READ_VOLUME]}
"""


def _validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], domain: str
) -> tuple[int, str, str]:
    write_spec(tmp_path, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": domain})
    return run_validate(tmp_path, capsys)


def test_a_managed_and_an_external_volume_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _validate(tmp_path, capsys, DOMAIN)
    assert (code, out) == (0, ""), err


def test_an_external_volume_in_managed_storage_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = DOMAIN.replace("dev: s3://landing/dev/sales,", "dev: s3://landing/dev/managed/v,")
    code, out, _ = _validate(tmp_path, capsys, inside)
    assert (code, out.splitlines()) == (
        1,
        [
            f"{tmp_path}/domains/sales.yaml:10:33: GOV291 error: the path of volume raw.landing "
            "overlaps the managed storage of domain 'sales' in 'dev' (hint: Unity Catalog refuses "
            "overlapping volumes and external volumes in managed storage: give each volume a "
            "directory of its own) [spec.references]"
        ],
    )


def test_volumes_resolve_into_the_state_of_each_environment(tmp_path: Path) -> None:
    write_spec(tmp_path, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": DOMAIN})
    result = load_spec(str(tmp_path))
    assert result.spec is not None, [d.text() for d in result.diagnostics]
    dev, prod = resolve(result.spec, dt.date(2026, 11, 26))
    landing = prod.state.index()[("volume", "sales_prod.raw.landing")]
    # External: its path in this environment; owned by the deployer in a protected one.
    assert landing.url == "s3://landing/prod/sales"
    assert landing.owner == "11111111-2222-4333-8444-555555555555"
    assert landing.grants == {"sales-analysts": ("READ_VOLUME",)}
    assert dev.state.index()[("volume", "sales_dev.raw.landing")].url == "s3://landing/dev/sales"
    # Managed: no path; authoritative with no grant declared, so its owner holds the anchor.
    scratch = dev.state.index()[("volume", "sales_dev.raw.scratch")]
    assert (scratch.url, scratch.grants) == (None, {"sales-owners": ("READ_VOLUME",)})
    assert loads(dumps(prod.state)) == prod.state
