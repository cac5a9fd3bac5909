"""`govkit.access/v1` documents and plain text for the answers of effective access."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from govkit.access.model import Holder, PrincipalAccess, Reach, SecurableAccess

FORMAT: Literal["govkit.access/v1"] = "govkit.access/v1"

# A UC name -> how a person reads it (a service principal's display name beside its id).
Label = Callable[[str], str]


def _plain(name: str) -> str:
    return name


def _holder(holder: Holder) -> dict[str, Any]:
    return {"principal": holder.principal, "kind": holder.kind, "via": list(holder.lines())}


def _reach(reach: Reach, principal: str) -> dict[str, Any]:
    return {
        "securable": reach.securable,
        "type": reach.securable_type.value,
        "via": [step.text(principal) for step in reach.via],
    }


def securable_document(access: SecurableAccess, environment: str | None) -> dict[str, Any]:
    """`{"format": "govkit.access/v1", "environment", "on", "read", "write", "could_grant"}`."""
    return {
        "format": FORMAT,
        "environment": environment,
        "on": access.securable.name,
        "type": access.securable.type.value,
        "read": [_holder(h) for h in access.read],
        "write": [_holder(h) for h in access.write],
        "could_grant": [_holder(h) for h in access.could_grant],
    }


def principal_document(access: PrincipalAccess, environment: str | None) -> dict[str, Any]:
    """`{"format": "govkit.access/v1", "environment", "principal", "kind", "reads", "writes"}`."""
    return {
        "format": FORMAT,
        "environment": environment,
        "principal": access.principal,
        "kind": access.kind,
        "reads": [_reach(r, access.principal) for r in access.reads],
        "writes": [_reach(r, access.principal) for r in access.writes],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _holders_text(title: str, holders: tuple[Holder, ...], label: Label) -> list[str]:
    lines = [f"{title} ({len(holders)}):"]
    if not holders:
        lines.append("  nobody")
    for holder in holders:
        lines.append(f"  {label(holder.principal)} [{holder.kind.replace('_', ' ')}]")
        lines += [f"    {line}" for line in holder.lines()]
    return lines


def securable_text(access: SecurableAccess, environment: str | None, label: Label = _plain) -> str:
    s = access.securable
    where = f" in {environment}" if environment else ""
    lines = [f"{s.type.value} {s.name}{where}: owner {label(s.owner or '(none)')}"]
    lines += _holders_text("read", access.read, label)
    lines += _holders_text("write", access.write, label)
    lines += _holders_text("could grant themselves access", access.could_grant, label)
    return "\n".join(lines) + "\n"


def principal_text(access: PrincipalAccess, environment: str | None, label: Label = _plain) -> str:
    where = f" in {environment}" if environment else ""
    kind = access.kind.replace("_", " ")
    lines = [f"{kind} {label(access.principal)}{where}"]
    for title, reaches in (("reads", access.reads), ("writes", access.writes)):
        lines.append(f"{title} ({len(reaches)}):")
        if not reaches:
            lines.append("  nothing")
        for reach in reaches:
            lines.append(f"  {reach.securable_type.value} {reach.securable}")
            lines += [f"    {step.text(access.principal)}" for step in reach.via]
    return "\n".join(lines) + "\n"
