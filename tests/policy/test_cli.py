"""`govkit rules`, `govkit rules explain CODE` and policy severities through `govkit validate`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkit.cli.main import main


def test_rules_lists_codes_severities_and_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "GOV201  error    grants.protected-writes-by-service-principals" in out
    assert "GOV207  warning  grants.ineffective" in out


def test_explain_prints_the_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "explain", "gov201"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("GOV201 grants.protected-writes-by-service-principals")
    assert "Bad:" in out and "Good:" in out


def test_explain_unknown_code_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "explain", "GOV999"]) == 1
    assert "unknown rule 'GOV999'" in capsys.readouterr().err


def test_markdown_is_the_rules_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--markdown"]) == 0
    root = Path(__file__).resolve().parents[2]
    assert capsys.readouterr().out == (root / "docs" / "rules.md").read_text(encoding="utf-8")


def _spec(tmp_path: Path, rules: str) -> str:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "govkit.yaml").write_text(
        "version: 1\nenvironments:\n  prod: {workspaces: [3001], protected: true, "
        f"deployer: sp-deploy}}\n{rules}",
        encoding="utf-8",
    )
    (spec / "principals.yaml").write_text(
        "groups: {sales-owners: {}, sales-engineers: {}}\n"
        "service_principals: {sp-deploy: {application_id: 6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d}}\n",
        encoding="utf-8",
    )
    (spec / "sales.yaml").write_text(
        "domain: sales\nowner: sales-owners\n"
        "grants: [{principal: sales-engineers, privileges: [USE_CATALOG, MODIFY]}]\n",
        encoding="utf-8",
    )
    return str(spec)


@pytest.mark.parametrize(
    ("rules", "code", "shown"),
    [
        ("", 1, "GOV201 error"),
        ("rules: {GOV201: warning}\n", 0, "GOV201 warning"),
        ("rules: {GOV201: off}\n", 0, None),
    ],
)
def test_severity_is_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str, code: int, shown: str | None
) -> None:
    spec = _spec(tmp_path, rules)
    assert main(["validate", spec, "--as-of", "2026-11-26"]) == code
    out = capsys.readouterr().out
    if shown is None:
        assert "GOV201" not in out
    else:
        assert f"sales.yaml:3:65: {shown}" in out


def test_explain_accepts_the_name_govkit_rules_lists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "explain", "grants.expired"]) == 0
    assert capsys.readouterr().out.startswith("GOV210 grants.expired")
    assert main(["rules", "explain", "grants.expird"]) == 1
    assert "did you mean 'grants.expired'?" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--help"], ["rules", "--help"]])
def test_help_never_cuts_a_command_line_short(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 0
    commands = capsys.readouterr().out.split("Commands:\n", 1)[1]
    assert "..." not in commands and "e.g.\n" not in commands
    entries = re.split(r"\n  (?=\S)", "\n" + commands.rstrip("\n"))[1:]
    assert entries and all(e.rstrip().endswith((".", ")")) for e in entries), entries


def test_an_expired_grant_warns_and_blocks_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GOV210 is a warning: an expired grant is already out of the desired state (so the next
    # apply revokes it); an error would fail every pull request until the expiry one merges.
    spec = _spec(tmp_path, "rules: {GOV201: off}\n")
    (Path(spec) / "sales.yaml").write_text(
        "domain: sales\nowner: sales-owners\ngrants:\n"
        "  - {principal: sales-engineers, privileges: [USE_CATALOG]}\n"
        "  - {principal: sales-owners, privileges: [BROWSE], expires: 2026-11-01, reason: S-1}\n",
        encoding="utf-8",
    )
    assert main(["rules"]) == 0
    assert "GOV210  warning  grants.expired" in capsys.readouterr().out
    assert main(["validate", spec, "--as-of", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert "sales.yaml:5:62: GOV210 warning: grant to sales-owners expired on 2026-11-01" in out
    assert main(["show", spec, "--env", "prod", "--format", "json", "--as-of", "2026-11-26"]) == 0
    shown = capsys.readouterr().out
    assert "BROWSE" not in shown and '"sales-engineers"' in shown
