"""`govkit access` on the bundled estate: people with their paths, json, live files, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.pipeline import validate
from govkit.state import dumps, make_securable, make_state
from tests.access.identities import write_identities
from tests.conftest import CATALOGS, TODAY

ARGS = [str(CATALOGS), "--env", "prod", "--as-of", TODAY.isoformat()]
IVY = "intern.ivy@meridian.example"


def test_who_reads_a_table_names_people_through_nested_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = write_identities(tmp_path)
    code = main(["access", *ARGS, "--on", "finance_prod.reporting.revenue", "--identities", ids])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        f"    {IVY} <- group finance-interns <- group finance-analysts: "
        "SELECT on catalog finance_prod\n"
    ) in out
    # The prod deployer is shown with its declared name beside its application id.
    assert "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d (sp-uc-deploy-prod) [service principal]" in out


def test_json_for_a_principal_by_its_declared_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = write_identities(tmp_path)
    args = ["access", *ARGS, "--principal", "sp-finance-etl-prod", "--identities", ids]
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "govkit.access/v1"
    assert (doc["principal"], doc["kind"]) == (
        "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "service_principal",
    )
    written = {w["securable"] for w in doc["writes"]}
    assert "finance_prod.ledger.journal_lines" in written
    assert not any(w.startswith("risk_prod") for w in written)


def test_live_state_answers_for_what_is_really_granted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (prod,) = [e for e in validate(str(CATALOGS), TODAY).environments if e.name == "prod"]
    securables = [
        make_securable(s.type, s.name, s.owner, {**s.grants, IVY: ("MODIFY",)})
        if s.name == "finance_prod.reporting.revenue"
        else s
        for s in prod.state.securables
    ]
    live = tmp_path / "live.json"
    live.write_text(dumps(make_state("file", securables, environment="prod")), encoding="utf-8")
    ids = write_identities(tmp_path)
    on = ["--on", "finance_prod.reporting.revenue", "--identities", ids, "--format", "json"]
    assert main(["access", *ARGS, *on]) == 0
    desired = json.loads(capsys.readouterr().out)
    assert main(["access", *ARGS, *on, "--live", str(live)]) == 0
    actual = json.loads(capsys.readouterr().out)
    assert IVY not in {w["principal"] for w in desired["write"]}
    (ivy,) = [w for w in actual["write"] if w["principal"] == IVY]
    assert ivy["via"][0] == f"{IVY}: MODIFY on table finance_prod.reporting.revenue"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--on", "finance_prod.reportin"], "did you mean finance_prod.reporting"),
        ([], "exactly one of --on SECURABLE or --principal NAME"),
        (["--principal", "nobody@meridian.example"], "unknown principal 'nobody@"),
        (["--on", "finance_prod", "--live", "missing.json"], "cannot read live state file"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    ids = write_identities(tmp_path)
    assert main(["access", *ARGS, "--identities", ids, *extra]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_live_state_of_another_environment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "dev.json"
    live.write_text(dumps(make_state("file", [], environment="dev")), encoding="utf-8")
    ids = write_identities(tmp_path)
    args = ["access", *ARGS, "--on", "finance_prod", "--identities", ids, "--live", str(live)]
    assert main(args) == 1
    assert "live state is of environment 'dev', not 'prod'" in capsys.readouterr().err


def test_an_undeclared_principal_is_an_error_with_a_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: "reads (0)", exit 0, for a typo; with no identities document nothing else could
    # tell it apart from a principal that holds nothing.
    spec = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, spec)
    (spec / "recorded" / "identities.json").unlink()
    args = [str(spec), "--env", "prod", "--as-of", TODAY.isoformat()]
    assert main(["access", *args, "--principal", "finance-analyst"]) == 1
    err = capsys.readouterr().err
    assert (
        "unknown principal 'finance-analyst' in prod: not declared in the spec, and holding "
        "nothing (hint: did you mean 'finance-analysts'?)"
    ) in err
    assert main(["access", *args, "--principal", "finance-analysts"]) == 0
    assert "reads (" in capsys.readouterr().out
