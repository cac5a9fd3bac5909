"""The recorded inputs in catalogs/recorded/ are what their generator writes from the spec."""

from __future__ import annotations

import shutil
from pathlib import Path

from govkit.audit.recorded import write
from tests.conftest import CATALOGS


def test_recorded_inputs_are_fresh(tmp_path: Path) -> None:
    spec = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, spec, ignore=shutil.ignore_patterns("recorded"))
    written = write(str(spec))
    assert [p.name for p in written] == [
        "dev.state.json",
        "lineage.json",
        "prod.state.json",
        "staging.state.json",
    ]
    for path in written:
        committed = CATALOGS / "recorded" / path.name
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed} is stale: run python -m govkit.audit.recorded catalogs"
        )
