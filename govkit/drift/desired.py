"""Build the desired side of a drift check from a resolved environment of the spec."""

from __future__ import annotations

from collections import defaultdict

from govkit.diagnostics import Path
from govkit.drift.compare import Desired, ExpiredGrant
from govkit.drift.patch import SpecIndex
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec


def desired_side(spec: Spec, env: DesiredEnvironment) -> Desired:
    """The desired State with authority per securable, expired grants and display names."""
    authority = {(s.type.value, s.name): s.authority for s in env.securables}
    expired = tuple(
        ExpiredGrant(
            key=(g.securable_type.value, g.securable),
            principal=spec.uc_name(g.principal),
            privileges=g.privileges,
            expires=g.expires.isoformat() if g.expires else "",
        )
        for g in env.expired
    )
    return Desired(state=env.state, authority=authority, expired=expired, names=spec.declared_names)


def ignored_principals(spec: Spec) -> frozenset[str]:
    """The organisation's `drift.ignore_principals`, as Unity Catalog names them."""
    return frozenset(spec.uc_name(p) for p in spec.organisation.drift.ignore_principals)


def spec_index(spec: Spec, env: DesiredEnvironment) -> SpecIndex:
    """Where each securable and grant of `env` is declared, for the YAML patch."""
    grants: dict[tuple[str, str, str], list[tuple[str, Path]]] = defaultdict(list)
    for g in (*env.grants, *env.storage_grants, *env.expired):
        key = (g.securable_type.value, g.securable, spec.uc_name(g.principal))
        grants[key].append((g.origin.file, g.origin.path))
    principal_files = sorted({d.file for d in spec.principals.values()})
    return SpecIndex(
        securables={
            (s.type.value, s.name): (s.origin.file, s.origin.path)
            for s in (*env.securables, *env.storage)
        },
        grants={k: tuple(v) for k, v in grants.items()},
        declared=frozenset(spec.uc_names.values()),
        principals_file=principal_files[0] if principal_files else None,
        protected_by=env.deployer if env.protected else None,
    )
