"""Benchmark stage `audit`: `govkit audit` of prod from files, with people and lineage at scale.

Preparation runs once in a child process and is cached in `work_dir`: prod's live State (the
desired one with about 1% drift), an identities document (50,000 people at L, nested groups)
and a lineage document (1,000,000 distinct edges at L, a few across domains and environments).
The timed part is the whole command, spec validation included, as an auditor runs it.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any, cast

from govkit.bench.estate import ENVS, SIZES, Size

# people, lineage edges
SCALE = {"S": (2_000, 20_000), "M": (10_000, 200_000), "L": (50_000, 1_000_000)}
AS_OF = "2026-11-26T02:00:00Z"


def _size(spec_dir: str) -> Size:
    name = Path(spec_dir).name.rsplit("-", 1)[-1]
    return SIZES[name]


def _identities(size: Size, people: int) -> str:
    from govkit.bench.estate import _principals
    from govkit.identity.document import Group, ServicePrincipal, User, dumps, make_identities

    principals = _principals(size)
    groups = sorted(principals["groups"])  # type: ignore[call-overload]
    members: dict[str, list[str]] = {g: [] for g in groups}
    users = []
    for k in range(people):
        name = f"person{k:06}@bench.example"
        users.append(User(name, enabled=k % 97 != 0))
        members[groups[k % len(groups)]].append(f"user:{name}")
        if k % 10 == 0:  # some people are in two teams
            members[groups[(k * 7 + 3) % len(groups)]].append(f"user:{name}")
    for g in groups:
        if g.endswith("-a1"):  # analysts' groups nest the next one, as interns in analysts
            members[g].append(f"group:{g[:-1]}2")
    sps = [
        ServicePrincipal(sp["application_id"], display_name=name)
        for name, sp in principals["service_principals"].items()  # type: ignore[attr-defined]
    ]
    doc = make_identities(
        "file", [Group(g, None, tuple(m)) for g, m in members.items()], users, sps
    )
    return dumps(doc)


def _lineage(size: Size, count: int) -> str:
    from govkit.lineage.document import Edge, dumps, make_lineage

    rng = random.Random(20261126)
    pairs: set[tuple[str, str]] = set()
    last = size.schemas - 1
    while len(pairs) < count:
        env = ENVS[rng.randrange(3)]
        d, s = rng.randrange(size.domains), rng.randrange(last)
        source = f"d{d:03}_{env}.s{s:02}.t{rng.randrange(size.tables):03}"
        roll = rng.random()
        if roll < 0.0001:  # prod reading a dev table
            env_t, d_t = ("prod" if env != "prod" else "dev"), d
        elif roll < 0.02:  # a pipeline reading another domain
            env_t, d_t = env, rng.randrange(size.domains)
        else:
            env_t, d_t = env, d
        s_t = rng.randrange(s + 1, size.schemas)
        pairs.add((source, f"d{d_t:03}_{env_t}.s{s_t:02}.t{rng.randrange(size.tables):03}"))
    edges = (
        Edge(a, b, f"2026-11-{1 + zlib.crc32(f'{a}>{b}'.encode()) % 25:02}T00:00:00Z", 1)
        for a, b in sorted(pairs)
    )
    return dumps(make_lineage("file", edges, taken_at=AS_OF))


def _legacy(path: Path) -> None:
    """Prod's workspaces with no door around Unity Catalog: the legacy section is clean."""
    from govkit.bench.estate import _organisation
    from govkit.legacy.document import Workspace, dumps, make_legacy

    envs = cast(dict[str, dict[str, list[int]]], _organisation()["environments"])
    workspaces = [Workspace(w) for w in envs["prod"]["workspaces"]]
    doc = make_legacy("file", workspaces, environment="prod", taken_at=AS_OF)
    path.write_text(dumps(doc), encoding="utf-8")


def prepare(spec_dir: str, work_dir: str) -> None:
    import datetime as dt

    from govkit.bench.stage_drift import live_copy
    from govkit.pipeline import validate
    from govkit.state import dumps

    size = _size(spec_dir)
    people, edges = SCALE[size.name]
    out = Path(work_dir)
    (prod,) = [
        e for e in validate(spec_dir, dt.date(2026, 11, 26)).environments if e.name == "prod"
    ]
    (out / "audit-live-prod.json").write_text(dumps(live_copy(prod.state)), encoding="utf-8")
    (out / "audit-identities.json").write_text(_identities(size, people), encoding="utf-8")
    (out / "audit-lineage.json").write_text(_lineage(size, edges), encoding="utf-8")
    (out / "audit-prepared").write_text(spec_dir, encoding="utf-8")


def ensure_prepared(spec_dir: str, work_dir: str) -> dict[str, str]:
    out = Path(work_dir)
    stamp = out / "audit-prepared"
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != spec_dir:
        subprocess.run(
            [sys.executable, "-m", "govkit.bench.stage_audit", spec_dir, work_dir], check=True
        )
    legacy = out / "audit-legacy-prod.json"
    if not legacy.exists():  # small: written here, also for a preparation made before it
        _legacy(legacy)
    return {
        "--legacy": str(legacy),
        "--live": str(out / "audit-live-prod.json"),
        "--identities": str(out / "audit-identities.json"),
        "--lineage": str(out / "audit-lineage.json"),
    }


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    """`govkit audit SPEC --env prod` from the prepared files, every format."""
    from govkit.cli.main import main

    inputs = ensure_prepared(spec_dir, work_dir)
    out = Path(work_dir) / "audit-report"
    shutil.rmtree(out, ignore_errors=True)  # figures from this run's report, never a stale one
    args = ["audit", spec_dir, "--env", "prod", "--as-of", AS_OF, "--out", str(out)]
    args += [w for pair in inputs.items() for w in pair]
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()) as said:
        code = main(args)
    report = json.loads((out / "audit-prod.json").read_bytes())
    size = sum(p.stat().st_size for p in out.iterdir())
    return {
        "exit": code,
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "audit_seconds": round(time.perf_counter() - start, 1),
        "people": report["summary"]["people"],
        "edges": report["lineage"]["edges_read"],
        "findings": len(report["findings"]),
        "report_mb": round(size / 1e6, 1),
        "said": said.getvalue().strip()[:60],
    }


if __name__ == "__main__":
    prepare(sys.argv[1], sys.argv[2])
