"""`govkit codeowners`: each domain file approved by its owner's team; --check catches staleness."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.conftest import CATALOGS
from tests.edit.support import copy_catalogs


def _repository(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return copy_catalogs(tmp_path)


def test_writes_then_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["codeowners", "catalogs", "--check"]) == 1
    assert ".github/CODEOWNERS is missing" in capsys.readouterr().err
    assert main(["codeowners", "catalogs"]) == 0
    lines = (tmp_path / ".github" / "CODEOWNERS").read_text().splitlines()
    assert "/catalogs/domains/finance.yaml @meridian/finance-data-owners" in lines
    assert "/terraform/generated/*/finance/ @meridian/finance-data-owners" in lines
    assert "/catalogs/principals.yaml @meridian/uc-platform" in lines
    assert "/catalogs/govkit.yaml @meridian/uc-platform" in lines
    # the platform's catch-all comes first, so the domain lines (later) win
    assert lines.index("/catalogs/ @meridian/uc-platform") < lines.index(
        "/catalogs/domains/finance.yaml @meridian/finance-data-owners"
    )
    assert main(["codeowners", "catalogs", "--check"]) == 0
    org = spec / "govkit.yaml"
    org.write_text(org.read_text().replace("@meridian/finance-data-owners", "@meridian/fin"))
    assert main(["codeowners", "catalogs", "--check"]) == 1
    assert ".github/CODEOWNERS is stale" in capsys.readouterr().err


def test_an_owner_without_a_team_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    org = spec / "govkit.yaml"
    org.write_text(org.read_text().replace('    risk-owners: "@meridian/risk-data-owners"\n', ""))
    assert main(["codeowners", "catalogs"]) == 1
    err = capsys.readouterr().err
    assert "no GitHub team for owner group risk-owners" in err
    assert not (tmp_path / ".github").exists()


def test_the_committed_codeowners_is_fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CATALOGS.parent)
    assert main(["codeowners", "catalogs", "--check"]) == 0
