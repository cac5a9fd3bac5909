"""`govkit expire`: what is past or near expiry, and removing the expired entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.edit.support import copy_catalogs, snapshot


def test_lists_expired_and_expiring_grants_once_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    before = snapshot(spec)
    assert main(["expire", str(spec), "--within", "14d", "--as-of", "2027-03-20"]) == 2
    lines = capsys.readouterr().out.splitlines()
    customer, finance = (spec / "domains" / f"{d}.yaml" for d in ("customer", "finance"))
    assert lines == [
        f"{_at(customer, 'expires: 2026-09-30')}: expired 2026-09-30: internal-audit: SELECT, "
        "USE_SCHEMA on schema customer_prod.master (prod) "
        "[AUD-2026-07 KYC file review (engagement closed)]",
        f"{_at(finance, 'expires: 2027-03-31')}: expires 2027-03-31, in 11 days: "
        "marketing-analysts: USE_CATALOG on catalog finance_prod (prod) "
        "[FIN-1234 campaign attribution needs revenue by channel]",
        f"{_at(finance, 'expires: 2027-03-31', 2)}: expires 2027-03-31, in 11 days: "
        "marketing-analysts: SELECT, USE_SCHEMA on schema finance_prod.reporting (prod) "
        "[FIN-1234 campaign attribution needs revenue by channel]",
    ]
    assert snapshot(spec) == before


def test_a_waiver_in_force_keeps_an_expired_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    before = snapshot(spec)
    assert main(["expire", str(spec), "--write", "--as-of", "2026-11-26"]) == 0
    assert "(kept: waiver GOV210 until 2027-01-31)" in capsys.readouterr().out
    assert snapshot(spec) == before


def test_write_removes_expired_entries_and_the_result_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    finance = spec / "domains" / "finance.yaml"
    original = finance.read_text()
    # GOV210 warns on each; the error is GOV091, a waiver past its own date
    assert main(["validate", str(spec), "--as-of", "2027-04-02"]) == 1
    found = capsys.readouterr().out
    assert found.count("GOV210 warning") >= 2 and found.count(" error: ") == 1
    assert main(["expire", str(spec), "--write", "--as-of", "2027-04-02"]) == 2
    out = capsys.readouterr().out
    assert "-  - {principal: marketing-analysts, privileges: [USE_CATALOG]" in out
    text = finance.read_text()
    assert "marketing-analysts" not in text
    # one flow entry on the catalog, a five-line one on the schema; nothing else
    assert len(original.splitlines()) - len(text.splitlines()) == 6
    assert main(["validate", str(spec), "--as-of", "2027-04-02"]) == 0
    assert main(["expire", str(spec), "--write", "--as-of", "2027-04-02"]) == 0


def _at(path: Path, text: str, occurrence: int = 1) -> str:
    """`path:line:col` of the value after `expires: ` in the n-th line holding `text`."""
    found = [(i, line) for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    number, line = found[occurrence - 1]
    return f"{path}:{number}:{line.index(text) + len('expires: ') + 1}"


def test_expired_entries_go_as_whole_lines_whatever_their_style(tmp_path: Path) -> None:
    from tests.compile.support import PRINCIPALS, organisation, write_spec

    spec = write_spec(
        tmp_path / "spec", {"govkit.yaml": organisation(), "principals.yaml": PRINCIPALS}
    )
    domain = (
        "domain: sales\nowner: owners\nschemas:\n  orders:\n    grants:\n"
        "      # a flow mapping over three lines, which no round trip writes back as it was\n"
        "      - {principal: readers, privileges: [USE_SCHEMA],\n"
        "         expires: 2026-10-01,\n"
        "         reason: T-1}\n"
        "    tables: {lines: {}}\n"
    )
    (spec / "sales.yaml").write_text(domain)
    assert main(["expire", str(spec), "--write", "--as-of", "2026-11-26"]) == 2
    assert (spec / "sales.yaml").read_text() == (
        "domain: sales\nowner: owners\nschemas:\n  orders:\n    tables: {lines: {}}\n"
    )
