"""Benchmark stage `policy`: the whole `validate` and, on its own, the policy rules.

The driver's `validate` stage already includes the policy rules; this stage times the rules on
their own as well, so that a slow rule shows up as a growing `policy_seconds`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    from govkit.pipeline import validate
    from govkit.policy import check_policies
    from govkit.spec.build import load_spec

    today = dt.date.today()
    start = time.perf_counter()
    result = validate(spec_dir, today)
    validate_seconds = time.perf_counter() - start
    loaded = load_spec(spec_dir)
    spec = loaded.spec
    if spec is None or not result.environments:
        return {"ok": False, "diagnostics": len(result.diagnostics)}
    start = time.perf_counter()
    findings = check_policies(spec, result.environments, today)
    policy_seconds = time.perf_counter() - start
    grants = sum(len(e.grants) for e in result.environments)
    return {
        "validate_seconds": round(validate_seconds, 3),
        "policy_seconds": round(policy_seconds, 3),
        "grants": grants,
        "findings": len(findings),
        "ok": result.ok,
    }
