"""Benchmark stage `snapshot_workspace`: snapshot every environment through REST.

A local Unity Catalog API server holds the desired estate; the reader runs without its
client-side rate limit so that the figure is govkit's own cost. Figures: HTTP requests the
server answered, securables read, and what the requests would take at the reader's default
rate limit against a real workspace.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace
from typing import Literal

# One REST call per securable: at L this is the half-hour a real workspace would take too.
SIZES = ("S", "M")


def snapshot_estate(
    spec_dir: str, source: Literal["workspace", "warehouse"]
) -> dict[str, float | int | str]:
    """Load the estate into a local server and snapshot each environment with `source`."""
    from govkit.live import ReaderSettings, read_live
    from govkit.live.client import make_client
    from govkit.pipeline import validate
    from govkit.privileges import SecurableType
    from govkit.resolve import resolve
    from govkit.spec.build import load_spec
    from govkit.testing import UCServer

    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)  # no host-metadata warning
    today = dt.date.today()
    environments = validate(spec_dir, today).environments
    if not environments:  # a synthetic estate with policy errors still has a shape
        spec = load_spec(spec_dir).spec
        if spec is None:
            return {"ok": "invalid spec"}
        environments = resolve(spec, today)
    defaults = ReaderSettings(progress=False)
    settings = replace(defaults, rate_per_second=0)
    securables, complete = 0, True
    with UCServer([e.state for e in environments]) as server:
        client = make_client(settings, host=server.url, token=server.token)
        start = time.perf_counter()
        for env in environments:
            catalogs = [s.name for s in env.state.securables if s.type is SecurableType.CATALOG]
            state = read_live(
                source,
                environment=env.name,
                catalogs=catalogs,
                warehouse_id="bench",
                client=client,
                settings=settings,
            )
            securables += len(state.securables)
            complete = complete and state.complete
        seconds = time.perf_counter() - start
        requests = server.request_count
    return {
        "http_requests": requests,
        "securables": securables,
        "read_seconds": round(seconds, 2),
        "seconds_at_default_rate": round(requests / defaults.rate_per_second, 1),
        "complete": str(complete),
    }


def run(spec_dir: str, work_dir: str) -> dict[str, float | int | str]:
    return snapshot_estate(spec_dir, "workspace")
