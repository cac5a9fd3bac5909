"""The recorded Hive estate of the bundled organisation before its migration:
`python -m govkit.migrate.recorded` writes catalogs/recorded/hive.assessment.json.

Meridian Financial ran twelve workspaces (dev 1001-1004, staging 2001-2003, prod 3001-3005),
each with its own Hive metastore. Teams named their databases after what they hold, so the same
name recurs: `default` everywhere, `ledger` in every finance workspace, `reporting` in both the
finance and the marketing workspace of production. Each workspace has its own `analysts`,
`engineers` and `owners` groups, whose members are those of the domain's Entra ID groups (read
from catalogs/recorded/identities.json); `legacy-admins` in production matches no Entra group.
Table ACLs were switched on in three workspaces (3001, 3002, 3003) only. Deterministic: the same
identities give the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govkit.identity.document import expand_group
from govkit.identity.document import loads as load_identities
from govkit.migrate.document import (
    HiveAssessment,
    HiveDatabase,
    HiveGrant,
    HiveTable,
    HiveWorkspace,
    WorkspaceGroup,
    dumps,
    make_assessment,
)

OUT = "catalogs/recorded/hive.assessment.json"
IDENTITIES = "catalogs/recorded/identities.json"
ENVIRONMENTS = {"dev": (1001, 1002, 1003, 1004), "staging": (2001, 2002, 2003)}
ENVIRONMENTS["prod"] = (3001, 3002, 3003, 3004, 3005)
LEGACY = tuple(f"{env}.legacy.json" for env in ENVIRONMENTS)

# domain -> Hive database -> tables: name -> (type, format); a view's entry is its query.
DOMAINS: dict[str, dict[str, dict[str, tuple[str, str]]]] = {
    "finance": {
        "ledger": {"journal_lines": ("MANAGED", "DELTA"), "balances": ("MANAGED", "DELTA")},
        "reporting": {
            "revenue": ("MANAGED", "DELTA"),
            "opex": ("MANAGED", "PARQUET"),
            "revenue_by_month": (
                "VIEW",
                "SELECT month, sum(amount) FROM reporting.revenue GROUP BY month",
            ),
        },
        "erp_raw": {"gl_extract": ("EXTERNAL", "PARQUET")},
    },
    "risk": {
        "credit": {"exposures": ("EXTERNAL", "DELTA"), "pd_estimates": ("MANAGED", "DELTA")},
        "market": {
            "var_daily": ("MANAGED", "DELTA"),
            "var_latest": ("VIEW", "SELECT * FROM market.var_daily_v WHERE is_latest"),
            "var_daily_v": ("VIEW", "SELECT * FROM market.var_daily"),
        },
    },
    "payments": {
        "cards": {"authorisations": ("EXTERNAL", "DELTA"), "chargebacks": ("MANAGED", "DELTA")},
        "transfers": {"sepa_credit_transfers": ("EXTERNAL", "DELTA")},
    },
    "customer": {"crm": {"customers": ("MANAGED", "DELTA"), "consents": ("MANAGED", "DELTA")}},
    "marketing": {
        "reporting": {"campaign_spend": ("MANAGED", "DELTA"), "touchpoints": ("EXTERNAL", "JSON")}
    },
    "platform": {"reference": {"fx_rates": ("EXTERNAL", "DELTA")}},
}
# workspace -> the domains whose databases its metastore holds
TEAMS: dict[int, tuple[str, ...]] = {
    1001: ("finance", "risk"), 1002: ("payments",), 1003: ("customer", "marketing"),
    1004: ("platform",), 2001: ("finance", "risk"), 2002: ("payments", "customer"),
    2003: ("marketing", "platform"), 3001: ("finance",), 3002: ("risk",), 3003: ("payments",),
    3004: ("customer", "marketing"), 3005: ("platform",),
}  # fmt: skip
ACL_WORKSPACES = (3001, 3002, 3003)
# The Entra ID group whose members a workspace-local group has, where not `{domain}-{role}`.
_ENTRA = {("customer", "analysts"): "customer-insight-analysts"}
_NONE = {("marketing", "engineers")}


def _environment(workspace: int) -> str:
    return next(env for env, ids in ENVIRONMENTS.items() if workspace in ids)


def _location(workspace: int, db: str, table: str, kind: str) -> str:
    if kind == "MANAGED":
        return f"dbfs:/user/hive/warehouse/{db}.db/{table}"
    return f"abfss://landing@stmeridian{_environment(workspace)}.dfs.core.windows.net/{db}/{table}"


def _database(workspace: int, name: str, tables: dict[str, tuple[str, str]]) -> HiveDatabase:
    return HiveDatabase(
        name,
        location=f"dbfs:/user/hive/warehouse/{name}.db",
        tables=tuple(
            HiveTable(t, "VIEW", view_text=spec)
            if kind == "VIEW"
            else HiveTable(t, kind, spec, _location(workspace, name, t, kind))  # type: ignore[arg-type]
            for t, (kind, spec) in tables.items()
        ),
    )


def _grants(workspace: int, members: dict[str, tuple[str, ...]]) -> list[HiveGrant]:
    """Table ACLs of a workspace that had them switched on: the team's usual pattern."""
    out: list[HiveGrant] = [HiveGrant("analysts", "USAGE", "CATALOG", "")]
    for domain in TEAMS[workspace]:
        for db, tables in DOMAINS[domain].items():
            out += [
                HiveGrant("owners", "OWN", "DATABASE", db),
                HiveGrant("analysts", "USAGE", "DATABASE", db),
                HiveGrant("analysts", "SELECT", "DATABASE", db),
                HiveGrant("analysts", "READ_METADATA", "DATABASE", db),
                HiveGrant("engineers", "USAGE", "DATABASE", db),
                HiveGrant("engineers", "CREATE", "DATABASE", db),
            ]
            for table in sorted(t for t, (kind, _) in tables.items() if kind != "VIEW"):
                out.append(HiveGrant("engineers", "MODIFY", "TABLE", f"{db}.{table}"))
        first = sorted(DOMAINS[domain])[0]
        # One person kept a grant of their own, and one engineer group held every privilege.
        lead = members[f"{domain}-owners"][0].removeprefix("user:")
        out.append(HiveGrant(lead, "SELECT", "DATABASE", first))
        out.append(HiveGrant("engineers", "ALL PRIVILEGES", "DATABASE", first))
    out.append(HiveGrant("engineers", "SELECT", "ANY FILE", ""))
    return out


def _groups(workspace: int, members: dict[str, tuple[str, ...]]) -> list[WorkspaceGroup]:
    domain = TEAMS[workspace][0]
    out = [
        WorkspaceGroup(role, members[_ENTRA.get((domain, role), f"{domain}-{role}")])
        for role in ("analysts", "engineers", "owners")
        if (domain, role) not in _NONE
    ]
    if workspace in ACL_WORKSPACES:
        out.append(WorkspaceGroup("legacy-admins", members["metastore-admins"][:2]))
    return out


def assessment(identities_text: str) -> HiveAssessment:
    identities = load_identities(identities_text)
    members = {
        g.display_name: tuple(
            sorted(f"{m.kind}:{m.name}" for m in expand_group(identities, g.display_name))
        )
        for g in identities.groups
    }
    workspaces = []
    for workspace, domains in TEAMS.items():
        databases = [HiveDatabase("default", "dbfs:/user/hive/warehouse", (
            HiveTable("scratch", "MANAGED", "DELTA", "dbfs:/user/hive/warehouse/scratch"),
        ))]  # fmt: skip
        databases += [_database(workspace, db, t) for d in domains for db, t in DOMAINS[d].items()]
        workspaces.append(
            HiveWorkspace(
                workspace,
                databases=tuple(databases),
                grants=tuple(_grants(workspace, members)) if workspace in ACL_WORKSPACES else (),
                groups=tuple(_groups(workspace, members)),
            )
        )
    return make_assessment("file", workspaces, legacy_access=LEGACY)


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path()
    text = dumps(assessment((root / IDENTITIES).read_text(encoding="utf-8")))
    (root / OUT).write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
