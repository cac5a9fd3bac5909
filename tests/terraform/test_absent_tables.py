"""A table declared before its pipeline has created it: `govkit drift --emit absent-tables` says
which ones are missing, the stacks skip their grants (absent_tables.json in each stack's folder)
instead of failing the apply, and the first apply after the table appears grants it."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from unittest import mock

import pytest

from govkit.cli.main import main
from tests.compile.support import write_spec
from tests.conftest import TODAY
from tests.terraform.estate import Estate, Metastore, compile_estate, metastore

pytestmark = pytest.mark.terraform

READERS = [{"principal": "sales-analysts", "privileges": ["SELECT"]}]
SPEC = {
    "govkit.yaml": {
        "version": 1,
        "environments": {"dev": {"workspaces": [1001]}},
        "terraform": {"backend": {"type": "local"}},
    },
    "principals.yaml": {"groups": {"sales-owners": {}, "sales-analysts": {}}},
    "domains/sales.yaml": {
        "domain": "sales",
        "owner": "sales-owners",
        "schemas": {
            "orders": {
                "tables": {
                    "lines": {"grants": READERS},
                    "returns": {},
                }
            }
        },
    },
}


def _drift(estate: Estate, running: Metastore, *emit: str) -> int:
    args = [str(estate.spec), "--env", "dev", "--as-of", TODAY.isoformat(), *emit]
    env = {**running.provider_env(estate.stacks[0]), "HOME": str(estate.out)}
    with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(io.StringIO()):
        return main(["drift", *args])


def _absent(estate: Estate, running: Metastore, tmp_path: Path) -> list[str]:
    """What drift lists, written where the stacks read it, as a workflow step before apply."""
    listed = tmp_path / "absent_tables.json"
    _drift(estate, running, "--emit", "absent-tables", "--emit-file", str(listed))
    for stack in estate.stacks:
        (estate.out / stack.id / "absent_tables.json").write_bytes(listed.read_bytes())
    return list(json.loads(listed.read_text("utf-8")))


def test_grants_on_a_table_wait_for_it_instead_of_failing_the_apply(tmp_path: Path) -> None:
    estate = compile_estate(write_spec(tmp_path / "spec", SPEC), tmp_path / "work")
    estate.init()
    with metastore(estate, pipelines=False) as running:
        assert _absent(estate, running, tmp_path) == [
            "sales_dev.orders.lines",
            "sales_dev.orders.returns",
        ]
        estate.each(lambda s: estate.terraform(s, running.provider_env(s)).apply())
        running.server.add_tables(e.state for e in estate.environments)  # the pipeline ran
        assert _absent(estate, running, tmp_path) == []
        estate.each(lambda s: estate.terraform(s, running.provider_env(s)).apply())
        assert _drift(estate, running) == 0
        held = {s.name: dict(s.grants) for s in running.server.dump_state().securables}
        assert held["sales_dev.orders.lines"] == {"sales-analysts": ("SELECT",)}
        assert held["sales_dev.orders.returns"] == {"sales-owners": ("SELECT",)}
