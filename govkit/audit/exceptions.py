"""The exception register: every waiver that bears on the environment, and every grant past its
expiry that is still live. An auditor reads the exceptions a team granted itself in one place,
with who approved each and until when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from govkit.audit.model import (
    Exceptions,
    ExceptionStatus,
    ExpiredGrantRow,
    Finding,
    WaiverRow,
    finding,
)
from govkit.resolve import DesiredEnvironment, catalog_name, domain_environments
from govkit.spec import model
from govkit.spec.build import Spec
from govkit.state import State

# A waiver this close to its expiry is "expiring" (the grants' window of the access section).
EXPIRING_DAYS = 30

_Waived = tuple[str, str, model.Waiver]  # (object, file, waiver)


def _securable_waivers(spec: Spec, env: str) -> Iterator[_Waived]:
    for doc in spec.domains:
        domain = doc.domain
        if env not in domain_environments(spec, domain):
            continue
        catalog = catalog_name(spec, domain.domain, env)
        for w in domain.waivers:
            yield f"catalog {catalog}", doc.file, w
        for schema_name, schema in domain.schemas.items():
            for w in schema.waivers:
                yield f"schema {catalog}.{schema_name}", doc.file, w
            for table_name, table in schema.tables.items():
                for w in table.waivers:
                    yield f"table {catalog}.{schema_name}.{table_name}", doc.file, w


def _waived(spec: Spec, env: DesiredEnvironment) -> Iterator[_Waived]:
    for name, declared in sorted(spec.principals.items()):
        if declared.environments is None or env.name in declared.environments:
            for w in declared.waivers:
                yield f"{declared.kind.replace('_', ' ')} {name}", declared.file, w
    yield from _securable_waivers(spec, env.name)
    for g in (*env.grants, *env.expired, *env.storage_grants):
        for w in g.waivers:
            what = ", ".join(g.privileges)
            yield f"grant of {what} on {g.securable} to {g.principal}", g.origin.file, w


def _status(expires: dt.date, today: dt.date) -> tuple[ExceptionStatus, int]:
    days = (expires - today).days
    if days < 0:
        return "expired", days
    return ("expiring" if days <= EXPIRING_DAYS else "active"), days


def _waiver_rows(spec: Spec, env: DesiredEnvironment, today: dt.date) -> list[WaiverRow]:
    rows = []
    for obj, file, w in _waived(spec, env):
        status, days = _status(w.expires, today)
        rows.append(
            WaiverRow(
                rule=w.rule,
                object=obj,
                file=file,
                reason=w.reason,
                approved_by=w.approved_by,
                expires=w.expires.isoformat(),
                days_left=days,
                status=status,
            )
        )
    # One waiver can sit on a grant that resolves to several securables: list it once each.
    unique = {(r.rule, r.object, r.expires, r.reason): r for r in rows}
    return sorted(unique.values(), key=lambda r: (r.expires, r.rule, r.object))


def _expired_grants(
    spec: Spec, env: DesiredEnvironment, live: State, today: dt.date
) -> list[ExpiredGrantRow]:
    held = {s.name: s.grants for s in live.securables}
    out: dict[tuple[str, str], ExpiredGrantRow] = {}
    for g in env.expired:
        principal = spec.uc_name(g.principal)
        live_privileges = held.get(g.securable, {}).get(principal, ())
        still = tuple(p for p in g.privileges if p in live_privileges)
        if not still or g.expires is None:
            continue
        waivers = [w for w in g.waivers if w.expires >= today]
        out[g.securable, principal] = ExpiredGrantRow(
            securable=g.securable,
            principal=principal,
            privileges=still,
            expired=g.expires.isoformat(),
            days_past=(today - g.expires).days,
            reason=g.reason,
            waived_until=max(w.expires for w in waivers).isoformat() if waivers else None,
        )
    return sorted(out.values(), key=lambda r: (r.expired, r.securable, r.principal))


def _findings(env: str, waivers: list[WaiverRow]) -> list[Finding]:
    out = []
    for w in waivers:
        if w.approved_by is None:
            out.append(
                finding(
                    "GOV641",
                    "warning",
                    "exceptions",
                    w.object,
                    f"waiver of {w.rule} on {w.object} ({w.file}) names no approver: add "
                    "approved_by",
                )
            )
        if w.status == "expired":
            out.append(
                finding(
                    "GOV642",
                    "note",
                    "exceptions",
                    w.object,
                    f"waiver of {w.rule} on {w.object} ({w.file}) expired on {w.expires}: the "
                    f"rule applies again in {env}; remove the waiver",
                )
            )
    return out


def build_exceptions(
    spec: Spec, env: DesiredEnvironment, live: State, today: dt.date, note: str | None
) -> tuple[Exceptions, list[Finding]]:
    """The register of `env`: waivers from the spec, expired grants from the live State (each is
    also a drift finding, GOV508, that the next apply revokes)."""
    waivers = _waiver_rows(spec, env, today)
    section = Exceptions(
        complete=note is None,
        note=note,
        waivers=tuple(waivers),
        expired_grants=tuple(_expired_grants(spec, env, live, today)),
    )
    return section, _findings(env.name, waivers)
