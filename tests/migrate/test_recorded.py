"""The recorded Hive estate of the bundled organisation is what its generator writes."""

from __future__ import annotations

from pathlib import Path

from govkit.migrate.document import loads
from govkit.migrate.recorded import IDENTITIES, OUT, assessment, dumps

ROOT = Path(__file__).resolve().parents[2]


def test_the_recorded_estate_is_fresh_and_canonical() -> None:
    text = (ROOT / OUT).read_text(encoding="utf-8")
    assert text == dumps(assessment((ROOT / IDENTITIES).read_text(encoding="utf-8")))
    assert dumps(loads(text)) == text


def test_the_recorded_estate_has_the_seed_shape() -> None:
    doc = loads((ROOT / OUT).read_text(encoding="utf-8"))
    assert len(doc.workspaces) == 12
    assert [w.workspace_id for w in doc.workspaces if w.grants] == [3001, 3002, 3003]
    holders: dict[str, list[int]] = {}
    for w in doc.workspaces:
        for d in w.databases:
            holders.setdefault(d.name, []).append(w.workspace_id)
    assert holders["reporting"] == [1001, 1003, 2001, 2003, 3001, 3004]
    assert all(w.groups for w in doc.workspaces)
