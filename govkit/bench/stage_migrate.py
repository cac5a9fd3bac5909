"""Benchmark stage `migrate`: `govkit migrate plan` over a synthetic Hive estate of twelve
workspaces with about 20,000 tables and 100,000 legacy grants, from recorded documents.

The estate does not grow with the size (the seed's target is one figure), so the stage runs at
size S only. Each workspace holds 40 databases of 42 tables (one a view); every table carries
five grants (SELECT and READ_METADATA to a readers group, SELECT and MODIFY to a writers group,
SELECT to one person on every tenth table), every database five more. Workspace groups have the
members of one Entra ID group each. Figures: the assessment read, the plan (with the policy
waivers), the write, and the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

SIZES = ("S",)
ENVIRONMENTS = {"dev": [1001, 1002, 1003, 1004], "staging": [2001, 2002, 2003]}
ENVIRONMENTS["prod"] = [3001, 3002, 3003, 3004, 3005]
DATABASES, TABLES, DOMAINS = 40, 42, 20


def _organisation() -> tuple[str, str]:
    import yaml

    envs: dict[str, Any] = {"dev": {"workspaces": ENVIRONMENTS["dev"]}}
    for env in ("staging", "prod"):
        envs[env] = {"workspaces": ENVIRONMENTS[env], "protected": True, "deployer": f"sp-{env}"}
    org = {"version": 1, "catalog_name": "{domain}_{env}", "environments": envs}
    principals = {
        "groups": {f"d{d}-{role}": {} for d in range(DOMAINS) for role in ("readers", "writers")},
        "service_principals": {
            f"sp-{env}": {"application_id": f"00000000-0000-4000-8000-00000000000{i}"}
            for i, env in enumerate(("staging", "prod"))
        },
    }
    return yaml.safe_dump(org), yaml.safe_dump(principals)


def _members(d: int, role: str) -> list[str]:
    return [f"user:{role}{d}.{i}@bench.example" for i in range(5)]


def _identities() -> dict[str, Any]:
    groups = [
        {"display_name": f"d{d}-{role}", "members": _members(d, role)}
        for d in range(DOMAINS)
        for role in ("readers", "writers")
    ]
    return {"format": "govkit.identities/v1", "source": "file", "groups": groups}


def _database(k: int, j: int) -> tuple[dict[str, Any], list[dict[str, str]]]:
    name = f"w{k}_db{j}"
    d = (k * DATABASES + j) % DOMAINS
    tables: list[dict[str, Any]] = [
        {"name": f"t{t}", "type": "MANAGED" if t % 2 else "EXTERNAL", "format": "DELTA",
         "location": f"abfss://lake@bench.dfs.core.windows.net/{name}/t{t}"}
        for t in range(TABLES - 1)
    ]  # fmt: skip
    tables.append({"name": "v", "type": "VIEW", "view_text": f"SELECT * FROM {name}.t0"})
    grants = [
        {"principal": p, "action_type": a, "object_type": "DATABASE", "object_key": name}
        for p, a in (("readers", "USAGE"), ("writers", "USAGE"), ("writers", "CREATE"),
                     ("writers", "OWN"), ("readers", "READ_METADATA"))
    ]  # fmt: skip
    for t in tables:
        key = f"{name}.{t['name']}"
        rows = [("readers", "SELECT"), ("readers", "READ_METADATA"), ("writers", "SELECT")]
        rows.append(("writers", "MODIFY"))
        rows.append((f"readers{d}.0@bench.example", "SELECT"))
        grants += [
            {"principal": p, "action_type": a, "object_type": "TABLE", "object_key": key}
            for p, a in rows
        ]
    return {"name": name, "tables": tables}, grants


def estate() -> tuple[dict[str, Any], str]:
    """The assessment document and the mapping file's text."""
    workspaces = []
    for ids in ENVIRONMENTS.values():
        for k, workspace in enumerate(ids):
            dbs, grants = [], []
            for j in range(DATABASES):
                db, g = _database(k, j)
                dbs.append(db)
                grants += g
            d = (k * DATABASES) % DOMAINS
            groups = [
                {"display_name": r, "members": _members(d, r)} for r in ("readers", "writers")
            ]
            workspaces.append({"workspace_id": workspace, "databases": dbs, "grants": grants,
                               "groups": groups})  # fmt: skip
    lines = ["waivers_expire: 2027-06-30", "domains:"]
    lines += [f"  d{d}: {{owner: d{d}-writers}}" for d in range(DOMAINS)]
    lines.append("databases:")
    for k in range(max(len(ids) for ids in ENVIRONMENTS.values())):
        where = [ids[k] for ids in ENVIRONMENTS.values() if k < len(ids)]
        for j in range(DATABASES):
            d = (k * DATABASES + j) % DOMAINS
            lines.append(f"  - {{workspace: {where}, database: w{k}_db{j}, domain: d{d}, "
                         f"schema: w{k}_db{j}}}")  # fmt: skip
    doc = {"format": "govkit.hive/v1", "source": "file", "workspaces": workspaces}
    return doc, "\n".join(lines) + "\n"


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    from govkit.edit.write import write_files
    from govkit.identity.document import loads as load_identities
    from govkit.migrate.document import dumps, loads
    from govkit.migrate.plan import plan

    work = Path(work_dir) / "migrate"
    spec = work / "spec"
    spec.mkdir(parents=True, exist_ok=True)
    for old in spec.rglob("*"):
        if old.is_file():
            old.unlink()
    org, principals = _organisation()
    (spec / "govkit.yaml").write_text(org, encoding="utf-8")
    (spec / "principals.yaml").write_text(principals, encoding="utf-8")
    doc, mapping = estate()
    recorded = dumps(loads(json.dumps(doc)))  # the recorded document, canonical
    (work / "hive.assessment.json").write_text(recorded, encoding="utf-8")
    identities = load_identities(json.dumps(_identities()))
    start = time.perf_counter()
    assessment = loads((work / "hive.assessment.json").read_bytes())
    read_seconds = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    result = plan(assessment, "hive.assessment.json", mapping.encode(), "mapping.yaml",
                  identities, str(spec), dt.date(2026, 12, 1))  # fmt: skip
    plan_seconds, plan_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    write_files(result.files)
    write_seconds = time.perf_counter() - start
    return {
        "workspaces": len(assessment.workspaces),
        "tables": sum(len(d.tables) for w in assessment.workspaces for d in w.databases),
        "grants": sum(len(w.grants) for w in assessment.workspaces),
        "read_seconds": round(read_seconds, 3),
        "plan_seconds": round(plan_seconds, 3),
        "plan_cpu_seconds": round(plan_cpu, 3),  # the machine may be shared
        "write_seconds": round(write_seconds, 3),
        "waived": result.waived,
        "errors": sum(d.severity.value == "error" for d in result.diagnostics),
        "ok": bool(result.files),
    }
