"""Volumes in the spec: a managed and an external volume validate; their paths are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

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
