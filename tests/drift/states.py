"""Hand-written desired and live states for drift tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govkit.drift import Desired, DriftOptions, DriftReport, diff_states
from govkit.drift.compare import ExpiredGrant, Key
from govkit.privileges import SecurableType
from govkit.resolve import Authority
from govkit.state import Securable, State, make_securable, make_state

DEPLOYER = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
READ = ("SELECT", "USE_CATALOG", "USE_SCHEMA")


def catalog(
    name: str = "finance_prod",
    owner: str = DEPLOYER,
    grants: Mapping[str, Iterable[str]] | None = None,
    isolation: str = "ISOLATED",
    workspaces: Iterable[int] = (3001, 3002),
) -> Securable:
    return make_securable(
        SecurableType.CATALOG,
        name,
        owner,
        grants if grants is not None else {"finance-analysts": READ},
        isolation,  # type: ignore[arg-type]  # tests pass the two valid literals
        workspaces,
    )


def schema(
    name: str = "finance_prod.reporting",
    owner: str = DEPLOYER,
    grants: Mapping[str, Iterable[str]] | None = None,
) -> Securable:
    return make_securable(SecurableType.SCHEMA, name, owner, grants or {})


def table(
    name: str = "finance_prod.reporting.revenue",
    owner: str = DEPLOYER,
    grants: Mapping[str, Iterable[str]] | None = None,
) -> Securable:
    return make_securable(SecurableType.TABLE, name, owner, grants or {})


def desired_estate() -> list[Securable]:
    return [catalog(), schema(), table(grants={"execs": ["SELECT"]})]


def state(securables: Iterable[Securable], source: str = "file") -> State:
    return make_state(source, securables, environment="prod")  # type: ignore[arg-type]


def diff(
    desired: Iterable[Securable],
    live: Iterable[Securable],
    *,
    authority: Mapping[Key, Authority] | None = None,
    expired: tuple[ExpiredGrant, ...] = (),
    ignore: Iterable[str] = (),
    include_all: bool = False,
    names: Mapping[str, str] | None = None,
) -> DriftReport:
    return diff_states(
        Desired(state(desired, "spec"), authority or {}, expired, names or {}),
        state(live),
        DriftOptions(frozenset(ignore), include_all),
    )


def kinds(report: DriftReport) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    return [(c.kind.value, c.securable, c.principal, c.privileges) for c in report.changes]
