"""A small estate for tests: a few catalogs with enough schemas and tables to page."""

from __future__ import annotations

from govkit.privileges import SecurableType
from govkit.state import Securable, State, make_securable, make_state

DEPLOYER = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"


def sample_state(
    catalogs: int = 3, schemas: int = 3, tables: int = 4, environment: str = "prod"
) -> State:
    """`catalogs` x `schemas` x `tables` securables with owners, grants and bindings."""
    out: list[Securable] = []
    for c in range(catalogs):
        catalog = f"domain{c}_{environment}"
        out.append(
            make_securable(
                SecurableType.CATALOG,
                catalog,
                DEPLOYER,
                {
                    f"domain{c}-analysts": ["BROWSE", "SELECT", "USE_CATALOG", "USE_SCHEMA"],
                    DEPLOYER: ["MANAGE"],
                },
                "ISOLATED",
                [3001, 3002],
            )
        )
        for s in range(schemas):
            schema = f"{catalog}.schema{s}"
            grants = {"auditors": ["USE_SCHEMA"]} if s % 2 == 0 else {}
            out.append(make_securable(SecurableType.SCHEMA, schema, DEPLOYER, grants))
            for t in range(tables):
                table_grants = {f"team{t}": ["SELECT"]} if t % 2 == 0 else {}
                if t == 1:
                    table_grants["writers"] = ["MODIFY", "SELECT"]
                out.append(
                    make_securable(
                        SecurableType.TABLE, f"{schema}.table{t}", DEPLOYER, table_grants
                    )
                )
    return make_state("spec", out, environment=environment)


def catalog_names(state: State) -> list[str]:
    return [s.name for s in state.securables if s.type is SecurableType.CATALOG]
