"""Every rule that is an error by default makes its command exit 1, through the real CLI.

A rule's severity decides what a user's CI does: `govkit validate` (and `govkit identities
check` for the directory rules) must fail on an error finding. Each rule is run on one of its
own cases whose only expected errors are that rule's findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govkit.cli.main import main
from govkit.diagnostics import Severity
from govkit.policy.base import Scope
from govkit.policy.engine import RULES
from govkit.testing.scimgroups import seed_groups

from .directory import directory_for
from .helpers import Case, load_cases, write_case

CASES = load_cases()
# The oracle is the case data, written by hand: a rule whose own case expects its finding as an
# error. (Taken from the rules themselves, a rule lowered to a warning would drop out unseen.)
ERROR_CODES = sorted(
    {c.rule for c in CASES if any(e[0] == c.rule and e[4] == "error" for e in c.expect)}
)
BY_CODE = {r.code: r for r in RULES}


def _failing_case(code: str) -> Case | None:
    """A case of `code` that expects an error of it and no error of any other rule; one that
    needs no Databricks account first."""
    found = [
        c for c in CASES if c.rule == code and {e[0] for e in c.expect if e[4] == "error"} == {code}
    ]
    return min(found, key=lambda c: c.account is not None, default=None)


def _on_account(request: pytest.FixtureRequest, account: dict[str, Any]) -> list[str]:
    """The case's account on the local server's account host, as `--databricks` reads it."""
    request.getfixturevalue("databricks_env")
    server = request.getfixturevalue("ucserver")
    monkeypatch = request.getfixturevalue("monkeypatch")
    seed_groups(server.store, account.get("groups", []))
    for n, app_id in enumerate(account.get("service_principals", []), start=1):
        server.store.service_principals[str(n)] = {"id": str(n), "applicationId": app_id}
    monkeypatch.setenv("DATABRICKS_HOST", server.add_host("account"))
    monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
    return ["--databricks"]


def test_every_error_rule_has_an_error_case() -> None:
    errors = {r.code for r in RULES if r.severity is Severity.ERROR}
    assert errors - set(ERROR_CODES) == set(), "error rules without a case expecting the error"


@pytest.mark.parametrize("code", ERROR_CODES)
def test_an_error_rule_makes_its_command_exit_1(
    code: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    rule = BY_CODE[code]
    case = _failing_case(code)
    assert case is not None, f"{code}: add a case whose only expected errors are its own"
    spec_dir = str(write_case(case, tmp_path))
    as_of = ["--as-of", case.as_of.isoformat()]
    if rule.scope is Scope.IDENTITIES:
        identities = tmp_path / "identities.json"
        identities.write_text(json.dumps(directory_for(case)), encoding="utf-8")
        assert main(["validate", spec_dir, *as_of]) == 0
        capsys.readouterr()
        args = ["identities", "check", spec_dir, "--identities", str(identities), *as_of]
        if case.account is not None:
            args += _on_account(request, case.account)
    else:
        args = ["validate", spec_dir, *as_of]
    assert main(args) == 1
    assert f" {code} error: " in capsys.readouterr().out
