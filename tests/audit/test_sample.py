"""A reproducible random sample of the bundled prod's live grants: seeded, recorded, redrawn."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest

from govkit.audit.sample import default_seed
from govkit.cli.main import main
from tests.conftest import CATALOGS

AS_OF = "2026-11-26T02:00:00Z"


def _sample(out: Path, *extra: str) -> dict[str, Any]:
    args = ["audit", str(CATALOGS), "--env", "prod", "--as-of", AS_OF, "--out", str(out)]
    assert main([*args, *extra]) == 2
    report = json.loads((out / "audit-prod.json").read_text(encoding="utf-8"))
    found: dict[str, Any] = report["sample"]
    asked = extra[extra.index("--sample") + 1]
    assert report["evidence"]["command"].endswith(f"--sample {asked} --seed {found['seed']}")
    return found


def test_a_seeded_sample_is_recorded_and_drawn_again_alike(tmp_path: Path) -> None:
    first = _sample(tmp_path / "a", "--sample", "5", "--seed", "7")
    # 77 live grants in prod; the indexes are Python's random.Random(7).sample, as documented.
    assert (first["population_size"], first["seed"], first["size"]) == (77, 7, 5)
    assert [g["index"] for g in first["grants"]] == sorted(random.Random(7).sample(range(77), 5))
    again = _sample(tmp_path / "b", "--sample", "5", "--seed", "7")
    assert again == first
    other = _sample(tmp_path / "c", "--sample", "5", "--seed", "8")
    assert other["population_sha256"] == first["population_sha256"]
    assert [g["index"] for g in other["grants"]] != [g["index"] for g in first["grants"]]
    with (tmp_path / "a" / "audit-prod-sample.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["index"]) for r in rows] == [g["index"] for g in first["grants"]]
    assert "5 of 77 live direct grants" in (tmp_path / "a" / "audit-prod.md").read_text()


def test_without_a_seed_one_is_derived_and_recorded(tmp_path: Path) -> None:
    drawn = _sample(tmp_path / "out", "--sample", "100")
    assert drawn["seed"] == default_seed("prod", AS_OF)
    assert drawn["size"] == 77  # every grant when the population is smaller


def test_a_seed_without_a_sample_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", str(CATALOGS), "--env", "prod", "--seed", "3", "--out", str(tmp_path / "o")]
    assert main(args) == 1
    assert "--seed needs --sample N" in capsys.readouterr().err
