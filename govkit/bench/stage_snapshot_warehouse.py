"""Benchmark stage `snapshot_warehouse`: snapshot every environment by SQL on a warehouse.

Same estate and server as `snapshot_workspace`; grants and owners come from six grouped
statements per environment (results by external links), catalogs and bindings by REST.
"""

from __future__ import annotations

from govkit.bench.stage_snapshot_workspace import SIZES as SIZES
from govkit.bench.stage_snapshot_workspace import snapshot_estate


def run(spec_dir: str, work_dir: str) -> dict[str, float | int | str]:
    return snapshot_estate(spec_dir, "warehouse")
