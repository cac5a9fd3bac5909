"""`govkit drift --emit yaml`: the patch, applied as a reviewer would, validates."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.cli.main import main
from govkit.privileges import SecurableType
from govkit.state import Storage, dumps, loads, make_securable, make_state
from tests.conftest import CATALOGS, TODAY
from tests.drift.test_cli import _desired_prod


def _apply(spec: Path, edit: dict[str, Any]) -> None:
    """Apply one edit of the patch to a copy of the spec, as a reviewer would by hand."""
    path = spec / Path(edit["file"]).relative_to("catalogs")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = [int(s) if s.isdigit() else s for s in edit["at"].split(".")]
    node = data
    for step in steps[:-1]:
        if isinstance(node, dict) and node.get(step) is None:
            node[step] = {}
        node = node[step]
    last = steps[-1]
    if "append" in edit:
        node[last] = [*(node.get(last) or []), edit["append"]]
    elif "add" in edit:
        node[last] = {**(node.get(last) or {}), **edit["add"]}
    elif "set" in edit:
        node[last] = edit["set"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _patch(tmp_path: Path, live: list[Any], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    source = tmp_path / "live.json"
    source.write_text(dumps(make_state("workspace", live, environment="prod")), encoding="utf-8")
    args = ["drift", "catalogs", "--env", "prod", "--as-of", TODAY.isoformat()]
    capsys.readouterr()
    assert main([*args, "--source", str(source), "--emit", "yaml"]) == 2
    doc: dict[str, Any] = yaml.safe_load(capsys.readouterr().out)
    return doc


def _validates_after(
    tmp_path: Path, doc: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "patched"
    shutil.copytree(CATALOGS, spec)
    for edit in doc["edits"]:
        _apply(spec, edit)
    capsys.readouterr()
    code = main(["validate", str(spec), "--as-of", TODAY.isoformat()])
    assert code == 0, capsys.readouterr().out


@pytest.fixture
def at_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CATALOGS.parent)


def _live(change: dict[str, Any]) -> list[Any]:
    """The applied prod estate with `change` (full name -> (owner, extra grants)) made live."""
    out = []
    for s in loads(_desired_prod()).securables:
        if s.name in change:
            owner, extra = change[s.name]
            grants = {**s.grants, **extra}
            s = make_securable(s.type, s.name, owner or s.owner, grants, s.isolation_mode,
                               s.workspace_ids, Storage.of(s))  # fmt: skip
        out.append(s)
    return out


def test_a_patch_declares_what_it_grants_to_and_refuses_a_protected_owner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], at_catalogs: None
) -> None:
    live = _live({"finance_prod": ("alice@example.com", {"contractors": ("SELECT",)})})
    doc = _patch(tmp_path, live, capsys)
    assert [(e["file"], e["at"], next(iter(e.get("add", {})), None)) for e in doc["edits"]] == [
        ("catalogs/principals.yaml", "groups", "contractors"),
        ("catalogs/domains/finance.yaml", "grants", None),
    ]
    (refused,) = doc["not_adopted"]
    assert refused["change"] == "owner_mismatch"
    assert "deployer sp-uc-deploy-prod owns every securable" in refused["why"]
    assert "alice" not in yaml.safe_dump(doc["edits"])
    _validates_after(tmp_path, doc, capsys)


def test_a_live_grant_the_policy_forbids_is_not_adopted_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], at_catalogs: None
) -> None:
    live = _live(
        {
            "finance_prod": (None, {"bob@example.com": ("SELECT",)}),
            "finance_prod.reporting": (None, {"finance-analysts": ("MODIFY",)}),
            "finance_prod.ledger": (None, {"execs": ("USE_SCHEMA",)}),
        }
    )
    doc = _patch(tmp_path, live, capsys)
    why = {r["securable"]: r["why"] for r in doc["not_adopted"]}
    assert why["catalog finance_prod"].startswith("the spec would not validate: GOV206")
    assert why["schema finance_prod.reporting"].startswith("the spec would not validate: GOV201")
    assert [e["securable"] for e in doc["edits"]] == ["schema finance_prod.ledger"]
    _validates_after(tmp_path, doc, capsys)


def test_a_stray_schema_is_never_patched_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], at_catalogs: None
) -> None:
    stray = make_securable(SecurableType.SCHEMA, "finance_prod.scratch", "bob@example.com", {})
    doc = _patch(tmp_path, [*_live({}), stray], capsys)
    assert doc["edits"] == []
