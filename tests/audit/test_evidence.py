"""The report as evidence: hashes that do not depend on where it is written, inputs that say
how old they are, and a folder that holds exactly one run, listed in its manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from tests.conftest import CATALOGS

AS_OF = "2026-11-26T02:00:00Z"


def _run(spec: Path | str, out: Path, *extra: str, as_of: str = AS_OF) -> int:
    args = ["audit", str(spec), "--env", "prod", "--as-of", as_of, "--out", str(out)]
    return main([*args, *extra])


def _json(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "audit-prod.json").read_text(encoding="utf-8"))
    return data


def test_the_report_hash_does_not_depend_on_the_output_folder(tmp_path: Path) -> None:
    assert _run(CATALOGS, tmp_path / "a") == 2
    assert _run(CATALOGS, tmp_path / "elsewhere" / "b") == 2
    first, second = (tmp_path / "a" / "audit-prod.json"), (tmp_path / "elsewhere" / "b")
    assert first.read_bytes() == (second / "audit-prod.json").read_bytes()
    assert "--out" not in _json(tmp_path / "a")["evidence"]["command"]


def test_the_spec_tree_is_hashed_and_a_spec_outside_git_is_never_complete(
    tmp_path: Path,
) -> None:
    assert _run(CATALOGS, tmp_path / "git") == 2
    in_git = _json(tmp_path / "git")["evidence"]
    copy = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, copy)
    assert _run(copy, tmp_path / "copy") == 2
    evidence = _json(tmp_path / "copy")["evidence"]
    assert evidence["spec_sha256"] == in_git["spec_sha256"]  # the same files, anywhere
    assert len(evidence["spec_sha256"]) == 64 and evidence["govkit_version"] == "0.1.0"
    assert evidence["spec_commit"] is None and evidence["spec_in_git"] is False
    assert evidence["complete"] is False
    # The checkout itself is complete exactly when its spec is committed and unchanged.
    assert in_git["complete"] is in_git["spec_in_git"]
    md = (tmp_path / "copy" / "audit-prod.md").read_text(encoding="utf-8")
    assert "| inputs complete | yes |" not in md
    assert "| inputs complete | no: the spec is not a git commit" in md
    codes = [(f["code"], f["subject"]) for f in _json(tmp_path / "copy")["findings"]]
    assert ("GOV693", "spec") in codes
    (copy / "domains" / "risk.yaml").write_text(
        (copy / "domains" / "risk.yaml").read_text(encoding="utf-8") + "# changed\n",
        encoding="utf-8",
    )
    assert _run(copy, tmp_path / "changed") == 2
    assert _json(tmp_path / "changed")["evidence"]["spec_sha256"] != in_git["spec_sha256"]


@pytest.mark.parametrize(
    ("as_of", "severity", "why"),
    [
        ("2026-12-10T02:00:00Z", "warning", "14 days before the report's time"),
        ("2026-11-25T00:00:00Z", "error", "after the report's time 2026-11-25T00:00:00Z"),
    ],
)
def test_inputs_taken_long_before_or_after_the_report_are_stale(
    tmp_path: Path, as_of: str, severity: str, why: str
) -> None:
    assert _run(CATALOGS, tmp_path / "out", as_of=as_of) == 2
    stale = [f for f in _json(tmp_path / "out")["findings"] if f["code"] == "GOV691"]
    assert [(f["subject"], f["severity"]) for f in stale] == [
        (name, severity) for name in ("identities", "legacy", "lineage", "live")
    ]
    assert all(why in f["message"] for f in stale)


def test_an_empty_lineage_read_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "lineage.json"
    empty.write_text(json.dumps({"format": "govkit.lineage/v1", "source": "file", "edges": []}))
    assert _run(CATALOGS, tmp_path / "out", "--lineage", str(empty)) == 2
    report = _json(tmp_path / "out")
    assert report["lineage"]["complete"] is False
    assert "the lineage input holds no edges" in report["lineage"]["note"]
    assert ("GOV692", "note") in [(f["code"], f["severity"]) for f in report["findings"]]


def test_the_manifest_lists_every_file_and_a_rerun_removes_what_it_did_not_write(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    assert _run(CATALOGS, out) == 2
    manifest = json.loads((out / "audit-prod.manifest.json").read_text(encoding="utf-8"))
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert manifest["content_sha256"] == _json(out)["evidence"]["content_sha256"]
    assert sorted(listed) == sorted(p.name for p in out.iterdir() if "manifest" not in p.name)
    assert len(listed) == 22
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert _run(CATALOGS, out, "--format", "json") == 2
    assert sorted(p.name for p in out.iterdir()) == ["audit-prod.json", "audit-prod.manifest.json"]


def test_a_failed_overwrite_leaves_the_previous_run_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _run(CATALOGS, out, "--format", "json,md") == 2
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "audit-prod-policy.csv").mkdir()  # a file of the next run cannot replace a folder
    assert _run(CATALOGS, out, "--as-of", "2026-11-27T00:00:00Z") == 1
    assert "cannot write the report" in capsys.readouterr().err
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before


def test_a_mistyped_blast_radius_table_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = "finance_prod.reporting.revenu"
    assert _run(CATALOGS, tmp_path / "out", "--blast-radius", typo) == 1
    err = capsys.readouterr().err
    assert (
        f"--blast-radius: no such table in the spec, the live State or the lineage: {typo}" in err
    )
    assert "did you mean 'finance_prod.reporting.revenue'?" in err
    assert not (tmp_path / "out").exists()
    assert _run(CATALOGS, tmp_path / "out", "--blast-radius", typo + "e") == 2
