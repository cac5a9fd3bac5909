"""Benchmark stage `drift`: compare desired and live State files of every environment.

Preparation (resolve the spec, write each environment's desired State and a live copy with about
1% drift) runs once in a child process and is cached in `work_dir`, so that this process's time
and peak memory are the drift check's own: load both files, diff, render the JSON report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from govkit.drift import Desired, DriftOptions, diff_states
from govkit.drift.check import check_live
from govkit.drift.render import render_json
from govkit.privileges import SecurableType
from govkit.state import Securable, State, dumps, loads, make_securable, make_state

DRIFT_EVERY = 100  # one securable in a hundred drifts


def _drift(i: int, s: Securable) -> list[Securable]:
    """The live form of the i-th securable: unchanged, or drifted in one of five ways."""
    if i % DRIFT_EVERY != 7:
        return [s]
    how = (i // DRIFT_EVERY) % 5
    if how == 0:  # a grant made out of band
        grants = {**s.grants, "contractors": ("SELECT",)}
        return [make_securable(s.type, s.name, s.owner, grants, s.isolation_mode, s.workspace_ids)]
    if how == 1:  # an owner changed by hand
        return [
            make_securable(
                s.type, s.name, "someone@example.com", s.grants, s.isolation_mode, s.workspace_ids
            )
        ]
    if how == 2:  # a declared grant revoked by hand
        grants = dict(list(s.grants.items())[1:])
        return [make_securable(s.type, s.name, s.owner, grants, s.isolation_mode, s.workspace_ids)]
    if how == 3:  # dropped
        return []
    catalog = s.name.split(".", 1)[0]  # a schema nobody declared
    scratch = make_securable(SecurableType.SCHEMA, f"{catalog}.scratch_{i}", s.owner, {})
    return [s, scratch]


def live_copy(desired: State) -> State:
    """`desired` as if read live after about 1% of it drifted."""
    live = [x for i, s in enumerate(desired.securables) for x in _drift(i, s)]
    return make_state(
        "workspace", live, environment=desired.environment, taken_at="2026-11-26T02:00:00Z"
    )


def prepare(spec_dir: str, work_dir: str) -> None:
    """Write `desired-<env>.json` and `live-<env>.json` for every environment of the spec."""
    from govkit.pipeline import validate

    result = validate(spec_dir, dt.date(2026, 11, 26))
    out = Path(work_dir)
    names = []
    for env in result.environments:
        (out / f"desired-{env.name}.json").write_text(dumps(env.state), encoding="utf-8")
        (out / f"live-{env.name}.json").write_text(dumps(live_copy(env.state)), encoding="utf-8")
        names.append(env.name)
    (out / "drift-envs.json").write_text(json.dumps(names), encoding="utf-8")


def _fingerprint(spec_dir: str) -> str:
    files = sorted(Path(spec_dir).rglob("*.yaml"))
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _ensure_prepared(spec_dir: str, work_dir: str) -> list[str]:
    stamp = Path(work_dir) / "drift-prepared"
    fingerprint = _fingerprint(spec_dir)
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != fingerprint:
        subprocess.run(
            [sys.executable, "-m", "govkit.bench.stage_drift", spec_dir, work_dir], check=True
        )
        stamp.write_text(fingerprint, encoding="utf-8")
    names: list[str] = json.loads((Path(work_dir) / "drift-envs.json").read_text("utf-8"))
    return names


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    """Drift of every environment from its State files; figures for the benchmark table."""
    envs = _ensure_prepared(spec_dir, work_dir)
    start, cpu = time.perf_counter(), time.process_time()
    securables = changes = 0
    out = Path(work_dir)
    for env in envs:
        desired = loads((out / f"desired-{env}.json").read_bytes())
        live = loads((out / f"live-{env}.json").read_bytes())
        check_live(live, env, f"live-{env}.json")
        report = diff_states(Desired(desired), live, DriftOptions())
        (out / f"drift-{env}.json").write_text(render_json(report), encoding="utf-8")
        securables += report.compared.desired
        changes += len(report.changes)
    return {
        "securables": securables,
        "changes": changes,
        "drift_seconds": round(time.perf_counter() - start, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
    }


if __name__ == "__main__":
    prepare(sys.argv[1], sys.argv[2])
