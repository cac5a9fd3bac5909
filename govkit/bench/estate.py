"""Synthetic estates in the spec format, for benchmarks: sizes S, M, L.

Securables count across three environments (dev, staging, prod); each carries about five
grants. The estate is valid and clean under the policy rules, so that benchmarks measure the
normal path, not error reporting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Size:
    name: str
    domains: int
    schemas: int
    tables: int

    @property
    def securables(self) -> int:
        return 3 * self.domains * (1 + self.schemas * (1 + self.tables))


SIZES = {
    "S": Size("S", domains=2, schemas=5, tables=32),  # ~1k securables
    "M": Size("M", domains=10, schemas=10, tables=65),  # ~20k
    "L": Size("L", domains=40, schemas=20, tables=49),  # ~120k
}

ENVS = ("dev", "staging", "prod")
GROUPS_PER_DOMAIN = 6


def _uuid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def _organisation() -> dict[str, object]:
    return {
        "version": 1,
        "catalog_name": "{domain}_{env}",
        "environments": {
            "dev": {"workspaces": [1001, 1002]},
            "staging": {"workspaces": [2001], "protected": True, "deployer": "sp-deploy-staging"},
            "prod": {"workspaces": [3001, 3002], "protected": True, "deployer": "sp-deploy-prod"},
        },
    }


def _principals(size: Size) -> dict[str, object]:
    groups = {
        f"d{d:03}-{role}": {"entra_object_id": _uuid(d * 10 + i)}
        for d in range(size.domains)
        for i, role in enumerate(("owners", "engineers", "a1", "a2", "a3", "a4"))
    }
    sps: dict[str, object] = {
        f"sp-deploy-{env}": {"application_id": _uuid(900_000 + i), "environments": [env]}
        for i, env in enumerate(ENVS[1:])
    }
    sps.update(
        {
            f"sp-d{d:03}-etl-{env}": {
                "application_id": _uuid(1_000_000 + d * 10 + i),
                "environments": [env],
            }
            for d in range(size.domains)
            for i, env in enumerate(ENVS[1:])
        }
    )
    return {"groups": groups, "service_principals": sps}


def _domain(size: Size, d: int) -> dict[str, object]:
    p = f"d{d:03}"
    analysts = [f"{p}-a{i}" for i in range(1, 5)]
    catalog_grants: list[dict[str, object]] = [
        {"principal": a, "privileges": ["USE_CATALOG", "USE_SCHEMA", "BROWSE"]} for a in analysts
    ]
    catalog_grants.append(
        {"principal": f"{p}-engineers", "access": "write", "environments": ["dev"]}
    )
    catalog_grants.append(
        {"principal": f"{p}-engineers", "access": "read", "environments": ["staging", "prod"]}
    )
    catalog_grants += [
        {"principal": f"sp-{p}-etl-{env}", "access": "write", "environments": [env]}
        for env in ENVS[1:]
    ]
    table_grants = [{"principal": a, "privileges": ["SELECT"]} for a in analysts]
    table_grants.append(
        {"principal": f"{p}-engineers", "privileges": ["SELECT", "MODIFY"], "environments": ["dev"]}
    )
    schemas = {
        f"s{s:02}": {
            "comment": f"schema {s} of domain {d}",
            "grants": [{"principal": a, "privileges": ["SELECT"]} for a in analysts]
            + [{"principal": f"{p}-engineers", "access": "read"}],
            "tables": {f"t{t:03}": {"grants": table_grants} for t in range(size.tables)},
        }
        for s in range(size.schemas)
    }
    return {
        "domain": p,
        "owner": f"{p}-owners",
        "comment": f"synthetic domain {d}",
        "grants": catalog_grants,
        "schemas": schemas,
    }


class _Dumper(yaml.CSafeDumper):
    """Writes shared sub-documents in full, as a person would, never as YAML aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def generate(out: Path, size: Size) -> Path:
    """Write the estate of `size` under `out` (one file per domain) and return the folder."""
    (out / "domains").mkdir(parents=True, exist_ok=True)

    def dump(path: Path, data: object) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False))
        os.replace(tmp, path)

    dump(out / "govkit.yaml", _organisation())
    dump(out / "principals.yaml", _principals(size))
    for d in range(size.domains):
        dump(out / "domains" / f"d{d:03}.yaml", _domain(size, d))
    return out
