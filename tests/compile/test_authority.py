"""Authoritative means authoritative for every declared securable, including those that declare
no grants: each one is held by a `databricks_grants`, whose grants are the desired State's."""

from __future__ import annotations

import datetime as dt

from govkit.resolve import resolve
from govkit.spec.build import load_spec
from tests.compile.support import compile_spec
from tests.conftest import CATALOGS, TODAY

# The bundled prod schemas of authoritative domains that declare no grant of their own.
WITHOUT_GRANTS = (
    "finance_prod.raw",
    "finance_prod.ledger",
    "risk_prod.market",
    "platform_prod.observability",
)


def _grants_resources(environment: str) -> set[tuple[str, str]]:
    compiled = compile_spec(CATALOGS)
    return {
        securable
        for stack in compiled.stacks
        if stack.environment == environment and stack.grants is not None
        for kind, securable, _ in stack.grants.resources()
        if kind == "databricks_grants"
    }


def test_every_securable_of_an_authoritative_domain_has_a_grants_resource() -> None:
    loaded = load_spec(str(CATALOGS))
    assert loaded.spec is not None
    for env in resolve(loaded.spec, TODAY):
        held = _grants_resources(env.name)
        authoritative = {
            (s.type.value, s.name)
            for s in (*env.securables, *env.storage)
            if s.authority == "authoritative"
        }
        assert authoritative - held == set(), env.name


def test_the_four_prod_schemas_without_grants_are_held_by_their_owner() -> None:
    loaded = load_spec(str(CATALOGS))
    assert loaded.spec is not None
    (prod,) = [e for e in resolve(loaded.spec, dt.date(2026, 11, 26)) if e.name == "prod"]
    index = prod.state.index()
    deployer = loaded.spec.uc_name("sp-uc-deploy-prod")
    held = _grants_resources("prod")
    for name in WITHOUT_GRANTS:
        assert ("schema", name) in held, name
        # The anchor: the owner (the deployer in prod), so the grant changes nobody's access.
        assert index[("schema", name)].grants == {deployer: ("USE_SCHEMA",)}, name
