"""The policy rules of Scope.STATE on a live State: what the metastore holds, named by securable."""

from __future__ import annotations

from govkit.pipeline import validate
from govkit.policy.engine import run_state_rules
from govkit.state import make_securable, make_state
from tests.conftest import CATALOGS, TODAY


def test_live_state_breaking_the_rules_is_reported_by_securable() -> None:
    validated = validate(str(CATALOGS), TODAY)
    assert validated.spec is not None
    (prod,) = [e for e in validated.environments if e.name == "prod"]
    # The applied estate is clean under the rules.
    assert run_state_rules(validated.spec, validated.environments, prod, prod.state, TODAY) == []
    securables = []
    for s in prod.state.securables:
        if s.name == "finance_prod.reporting.revenue":
            s = make_securable(
                s.type,
                s.name,
                "ada@meridian.example",
                {**s.grants, "finance-engineers": ("MODIFY",), "bob@meridian.example": ("SELECT",)},
            )
        if s.name == "risk_prod":
            s = make_securable(
                s.type,
                s.name,
                s.owner,
                {**s.grants, "account users": ("ALL_PRIVILEGES",)},
                s.isolation_mode,
                s.workspace_ids,
            )
        securables.append(s)
    live = make_state("file", securables, environment="prod")
    found = run_state_rules(validated.spec, validated.environments, prod, live, TODAY)
    assert [(d.code, d.file) for d in found] == [
        ("GOV102", "finance_prod.reporting.revenue"),
        ("GOV104", "finance_prod.reporting.revenue"),
        ("GOV201", "finance_prod.reporting.revenue"),
        ("GOV206", "finance_prod.reporting.revenue"),
        ("GOV201", "risk_prod"),
        ("GOV202", "risk_prod"),
        ("GOV204", "risk_prod"),
    ]
    by_code = {d.code: d.message for d in found if d.file != "risk_prod"}
    assert by_code["GOV104"] == (
        "table finance_prod.reporting.revenue is owned by ada@meridian.example, not by deployer "
        "sp-uc-deploy-prod, in protected environment prod"
    )
    assert by_code["GOV201"].startswith("finance-engineers is a group of people and holds MODIFY")
