"""Recorded inputs for the bundled estate, so that `govkit audit` runs with no workspace.

`python -m govkit.audit.recorded [SPEC_DIR]` writes SPEC_DIR/recorded/<env>.state.json (the
applied estate with a little realistic drift) and SPEC_DIR/recorded/lineage.json. Deterministic:
the same spec gives the same bytes. The identities document beside them is
`govkit.testing.directory`'s.

The drift, as an auditor would meet it:
- dev: a table a person created and still owns; an out-of-band write grant to a sandbox group;
- staging: a pipeline's write grant revoked by hand;
- prod: a SELECT granted by hand to one person, a grant left to a person who has left, a
  table a pipeline created outside the spec, and internal audit's KYC review grant, expired on
  2026-09-30 and still live (its waiver gives the revocation until 2027-01-31);
- storage (credentials, external locations, catalogs' storage roots): as declared;
- lineage: the prod PD model reads the dev one (a cross-environment edge), and a few pipelines
  read across domains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from pathlib import Path

from govkit.lineage.document import Edge, Lineage, dumps, make_lineage
from govkit.pipeline import validate
from govkit.privileges import SecurableType
from govkit.spec.build import Spec
from govkit.state import Securable, State, Storage, make_securable, make_state
from govkit.state import dumps as dump_state

TODAY = dt.date(2026, 11, 26)
TAKEN_AT = "2026-11-26T02:00:00Z"
# People of the recorded identities document (govkit.testing.directory).
INDIVIDUAL_OWNER = "ada.dubois@meridian.example"
LEAVER = "amara.kowalski3@meridian.example"
# A time-boxed grant of catalogs/domains/customer.yaml, past its expiry and never revoked.
EXPIRED = ("customer_prod.master", "internal-audit", ("SELECT", "USE_SCHEMA"))

# (source, target) within each environment, {e} the environment.
PIPELINES = (
    ("payments_{e}.transfers.sepa_credit_transfers", "finance_{e}.ledger.journal_lines"),
    ("payments_{e}.cards.authorisations", "finance_{e}.ledger.journal_lines"),
    ("finance_{e}.ledger.journal_lines", "finance_{e}.ledger.balances"),
    ("finance_{e}.ledger.journal_lines", "finance_{e}.reporting.opex"),
    ("finance_{e}.ledger.balances", "finance_{e}.reporting.revenue"),
    ("platform_{e}.reference.fx_rates", "finance_{e}.reporting.revenue"),
    ("finance_{e}.reporting.revenue", "marketing_{e}.campaigns.campaign_spend"),
    ("marketing_{e}.web.sessions", "marketing_{e}.campaigns.touchpoints"),
    ("marketing_{e}.campaigns.touchpoints", "marketing_{e}.campaigns.campaign_spend"),
    ("payments_{e}.cards.authorisations", "payments_{e}.fraud.alerts"),
    ("payments_{e}.cards.chargebacks", "payments_{e}.fraud.alerts"),
    ("payments_{e}.transfers.instant_payments", "payments_{e}.fraud.alerts"),
    ("customer_{e}.master.customers", "customer_{e}.master.consents"),
    ("risk_{e}.credit.exposures", "risk_{e}.credit.pd_estimates"),
    ("risk_{e}.credit.exposures", "risk_{e}.market.var_daily"),
    ("risk_{e}.liquidity.lcr", "risk_{e}.market.var_daily"),
    ("platform_{e}.observability.job_runs", "platform_{e}.observability.table_freshness"),
)
CROSS_ENVIRONMENT = (("risk_dev.credit.pd_estimates", "risk_prod.credit.pd_estimates"),)


def _number(text: str, modulo: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % modulo


def _edge(source: str, target: str) -> Edge:
    day = 1 + _number(f"day:{source}>{target}", 25)
    hour = _number(f"hour:{source}>{target}", 24)
    last_seen = f"2026-11-{day:02}T{hour:02}:{_number(source, 60):02}:00Z"
    return Edge(source, target, last_seen, 1 + _number(f"n:{source}>{target}", 400))


def lineage(environments: tuple[str, ...]) -> Lineage:
    edges = [_edge(s.format(e=env), t.format(e=env)) for env in environments for s, t in PIPELINES]
    edges += [_edge(s, t) for s, t in CROSS_ENVIRONMENT]
    return make_lineage("file", edges, taken_at=TAKEN_AT)


def _changed(s: Securable, owner: str | None, grants: dict[str, tuple[str, ...]]) -> Securable:
    return make_securable(
        s.type, s.name, owner, grants, s.isolation_mode, s.workspace_ids, Storage.of(s)
    )


def _drift(env: str, s: Securable) -> Securable:
    grants = dict(s.grants)
    if env == "dev" and s.name == "risk_dev.credit.pd_estimates":
        return _changed(s, INDIVIDUAL_OWNER, grants)
    if env == "dev" and s.name == "marketing_dev.web":
        return _changed(s, s.owner, {**grants, "dev-sandbox-users": ("MODIFY", "SELECT")})
    if env == "staging" and s.name == "payments_staging":
        return _changed(s, s.owner, {p: v for p, v in grants.items() if "MODIFY" not in v})
    if env == "prod" and s.name == "finance_prod.ledger.journal_lines":
        return _changed(s, s.owner, {**grants, INDIVIDUAL_OWNER: ("SELECT",)})
    if env == "prod" and s.name == EXPIRED[0]:
        return _changed(s, s.owner, {**grants, EXPIRED[1]: EXPIRED[2]})
    if env == "prod" and s.name == "payments_prod.cards":
        return _changed(s, s.owner, {**grants, LEAVER: ("SELECT", "USE_SCHEMA")})
    return s


def _extra(env: str, spec: Spec) -> list[Securable]:
    if env != "prod":
        return []
    owner = spec.uc_name("sp-risk-etl-prod")
    return [
        make_securable(SecurableType.TABLE, "risk_prod.credit.pd_estimates_backfill", owner, {})
    ]


def live_state(env: str, desired: State, spec: Spec) -> State:
    securables = [_drift(env, s) for s in desired.securables] + _extra(env, spec)
    return make_state("workspace", securables, environment=env, taken_at=TAKEN_AT)


def write(spec_dir: str) -> list[Path]:
    validated = validate(spec_dir, TODAY)
    if validated.spec is None or not validated.ok:
        raise SystemExit(f"{spec_dir}: the spec does not validate; nothing written")
    out = Path(spec_dir) / "recorded"
    out.mkdir(exist_ok=True)
    files = {
        out / f"{e.name}.state.json": dump_state(live_state(e.name, e.state, validated.spec))
        for e in validated.environments
    }
    files[out / "lineage.json"] = dumps(lineage(tuple(e.name for e in validated.environments)))
    for path, text in files.items():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return sorted(files)


def main(argv: list[str]) -> int:
    for path in write(argv[0] if argv else "catalogs"):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
