"""Since the last audit: what changed in access, ownership, findings and exceptions between a
previous report (its JSON, as written) and this one. Pure: two values in, one value out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govkit.audit.model import (
    AccessChange,
    AuditReport,
    Comparison,
    Finding,
    OwnerChange,
)

_ACCESS = (("read", "read_set"), ("write", "write_set"), ("could_grant", "grant_set"))


class PreviousReportError(ValueError):
    """A file that is not an audit report of the same environment."""


def check_previous(raw: Any, environment: str) -> Mapping[str, Any]:
    """The previous report as a mapping, or PreviousReportError saying what is wrong."""
    if not isinstance(raw, dict) or raw.get("format") != "govkit.audit/v1":
        raise PreviousReportError("not an audit report (format govkit.audit/v1)")
    env = raw.get("evidence", {}).get("environment")
    if env != environment:
        raise PreviousReportError(f"an audit of environment {env!r}, not {environment!r}")
    return raw


def _members(sets: Any) -> dict[int, frozenset[str]]:
    return {
        int(s["id"]): frozenset(str(m["principal"]) for m in s.get("members", ()))
        for s in sets or ()
    }


_Reach = dict[tuple[str, str, str], frozenset[str]]  # (type, name, access) -> principals


def _access_of(rows: Any, sets: Mapping[int, frozenset[str]]) -> _Reach:
    out: _Reach = {}
    for row in rows or ():
        for access, field in _ACCESS:
            set_id = row.get(field)
            out[str(row["type"]), str(row["name"]), access] = (
                sets.get(int(set_id), frozenset()) if set_id is not None else frozenset()
            )
    return out


def _access_changes(previous: Mapping[str, Any], report: AuditReport) -> list[AccessChange]:
    before_sets = _members(previous.get("access", {}).get("sets"))
    before = _access_of(previous.get("access", {}).get("rows"), before_sets)
    now_sets = {s.id: frozenset(m.principal for m in s.members) for s in report.access.sets}
    now: _Reach = {}
    for row in report.access.rows:
        for access, field in _ACCESS:
            set_id = getattr(row, field)
            now[row.type, row.name, access] = now_sets[set_id] if set_id else frozenset()
    out = []
    for key in sorted({*before, *now}):
        was, is_ = before.get(key, frozenset()), now.get(key, frozenset())
        if was != is_:
            out.append(
                AccessChange(
                    type=key[0],
                    name=key[1],
                    access=key[2],
                    added=tuple(sorted(is_ - was)),
                    removed=tuple(sorted(was - is_)),
                )
            )
    return out


def _owner_changes(previous: Mapping[str, Any], report: AuditReport) -> list[OwnerChange]:
    def key(row: Mapping[str, Any]) -> tuple[str, str]:
        return str(row["type"]), str(row["name"])

    before = {
        key(r): (r.get("owner"), r.get("accountable_owner"))
        for r in previous.get("ownership", {}).get("rows", ())
    }
    now = {(r.type, r.name): (r.owner, r.accountable_owner) for r in report.ownership.rows}
    out = []
    for k in sorted({*before, *now}):
        was, is_ = before.get(k, (None, None)), now.get(k, (None, None))
        if was != is_:
            out.append(
                OwnerChange(
                    type=k[0],
                    name=k[1],
                    owner_before=was[0],
                    owner_now=is_[0],
                    accountable_before=was[1],
                    accountable_now=is_[1],
                )
            )
    return out


def _finding(raw: Mapping[str, Any]) -> Finding:
    return Finding.model_validate({k: raw[k] for k in Finding.model_fields})


def _exceptions(raw: Any) -> tuple[set[str], set[str]]:
    waivers = {f"{w['rule']} on {w['object']} until {w['expires']}" for w in raw.get("waivers", ())}
    grants = {
        f"{g['principal']} on {g['securable']} (expired {g['expired']})"
        for g in raw.get("expired_grants", ())
    }
    return waivers, grants


def compare_reports(previous: Mapping[str, Any], report: AuditReport) -> Comparison:
    """What changed from `previous` to `report` (findings matched by code and subject)."""
    before = {(f["code"], f["subject"]): f for f in previous.get("findings", ())}
    now = {(f.code, f.subject): f for f in report.findings}
    waivers_was, grants_was = _exceptions(previous.get("exceptions", {}))
    waivers_now, grants_now = _exceptions(report.exceptions.model_dump())
    evidence = previous.get("evidence", {})
    return Comparison(
        previous_generated_at=str(evidence.get("generated_at", "")),
        previous_spec_commit=evidence.get("spec_commit"),
        previous_content_sha256=str(evidence.get("content_sha256", "")),
        access=tuple(_access_changes(previous, report)),
        ownership=tuple(_owner_changes(previous, report)),
        new_findings=tuple(now[k] for k in sorted(now.keys() - before.keys())),
        resolved_findings=tuple(_finding(before[k]) for k in sorted(before.keys() - now.keys())),
        waivers_added=tuple(sorted(waivers_now - waivers_was)),
        waivers_removed=tuple(sorted(waivers_was - waivers_now)),
        expired_grants_added=tuple(sorted(grants_now - grants_was)),
        expired_grants_removed=tuple(sorted(grants_was - grants_now)),
    )
