"""Storage credentials, external locations and storage roots resolve into the State document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from govkit.privileges import SecurableType
from govkit.resolve import resolve
from govkit.spec.build import load_spec
from govkit.state import dumps, loads
from tests.spec.test_bad_input import BASE, write_spec

ORGANISATION = """\
version: 1
cloud: aws
environments:
  dev: {workspaces: [1]}
  prod: {workspaces: [2], protected: true, deployer: sp-deploy-prod}
storage_credentials:
  cred-prod:
    environment: prod
    owner: sales-owners
    aws_iam_role: {role_arn: "arn:aws:iam::1:role/uc-prod"}
    grants:
      - {principal: sales-owners, privileges: [CREATE_EXTERNAL_LOCATION]}
external_locations:
  landing-prod:
    environment: prod
    url: s3://acme-landing/prod
    credential: cred-prod
    owner: sales-owners
    read_only: true
    grants:
      - {principal: sales-analysts, privileges: [READ_FILES, BROWSE]}
"""

DOMAIN = """\
domain: sales
owner: sales-owners
storage_root:
  prod: s3://acme-managed/sales
"""


def test_storage_resolves_into_the_state_of_its_environment(tmp_path: Path) -> None:
    write_spec(tmp_path, {**BASE, "govkit.yaml": ORGANISATION, "domains/sales.yaml": DOMAIN})
    result = load_spec(str(tmp_path))
    assert result.spec is not None, [d.text() for d in result.diagnostics]
    dev, prod = resolve(result.spec, dt.date(2026, 11, 26))
    index = prod.state.index()
    location = index[("external_location", "landing-prod")]
    assert (location.url, location.credential, location.read_only) == (
        "s3://acme-landing/prod",
        "cred-prod",
        True,
    )
    assert location.grants == {"sales-analysts": ("BROWSE", "READ_FILES")}
    # In a protected environment the deployer owns it, as every other securable.
    assert location.owner == "11111111-2222-4333-8444-555555555555"
    credential = index[("storage_credential", "cred-prod")]
    assert credential.grants == {"sales-owners": ("CREATE_EXTERNAL_LOCATION",)}
    assert index[("catalog", "sales_prod")].storage_root == "s3://acme-managed/sales"
    assert [s.type for s in prod.storage] == [
        SecurableType.STORAGE_CREDENTIAL,
        SecurableType.EXTERNAL_LOCATION,
    ]
    assert {g.securable for g in prod.storage_grants} == {"cred-prod", "landing-prod"}
    # Storage belongs to one environment; dev has none and its catalog no root of its own.
    assert dev.storage == () and dev.state.index()[("catalog", "sales_dev")].storage_root is None
    # The State document carries the storage fields through a save and a load.
    assert loads(dumps(prod.state)) == prod.state
    assert '"url": "s3://acme-landing/prod"' in dumps(prod.state)
