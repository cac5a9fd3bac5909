"""The access diff as text (terminal), markdown (the pull-request comment) and JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from govkit.diagnostics import Diagnostic
from govkit.diff.compare import AccessDelta, EnvironmentDiff, GrantDelta, Renewal
from govkit.diff.report import AccessDiff

SHOWN = 5  # securables listed per line before "and N more"
_VERB = {"read": "read", "write": "write", "could_grant": "grant itself access to"}
_WHAT = {"read": "read access", "write": "write access", "could_grant": "the right to grant access"}
_KIND = {"user": "", "service_principal": " (service principal)", "group": " (group)"}


def _label(name: str, names: Mapping[str, str]) -> str:
    declared = names.get(name)
    return f"{declared} ({name})" if declared else name


def _list(items: tuple[str, ...]) -> str:
    shown = ", ".join(items[:SHOWN])
    more = len(items) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _signed(gained: str, lost: str) -> list[str]:
    """`+ gained` and `- lost`, each only when there is something to say."""
    return [f"{sign} {text}" for sign, text in (("+", gained), ("-", lost)) if text]


def _grant_line(g: GrantDelta, names: Mapping[str, str]) -> list[str]:
    who, on = _label(g.principal, names), f"{g.securable_type} {g.securable}"
    return _signed(
        f"{who} gains {', '.join(g.added)} on {on}{_terms(g)}" if g.added else "",
        f"{who} loses {', '.join(g.removed)} on {on}" if g.removed else "",
    )


def _said(terms: tuple[tuple[str | None, str], ...]) -> list[str]:
    said = []
    for expires, reason in terms:
        parts = [f"until {expires}" if expires else "no expiry"]
        parts += [f"reason: {reason}"] if reason else []
        said.append("; ".join(parts))
    return said


def _terms(g: GrantDelta) -> str:
    """` (until DATE; reason: WHY)` of the entries that grant it, or nothing to say."""
    said = _said(g.terms)
    return f" ({' | '.join(said)})" if said and said != ["no expiry"] else ""


def _renewal_line(r: Renewal, names: Mapping[str, str]) -> str:
    who, on = _label(r.principal, names), f"{r.securable_type} {r.securable}"
    before, after = " | ".join(_said(r.before)), " | ".join(_said(r.after))
    return f"~ {who} keeps {', '.join(r.privileges)} on {on}: {before} -> {after}"


def _access_line(a: AccessDelta, names: Mapping[str, str]) -> list[str]:
    who, verb = _label(a.principal, names) + _KIND[a.kind], _VERB[a.access]
    return _signed(
        f"{who} can now {verb} {_count(a.gained)}: {_list(a.gained)}" if a.gained else "",
        f"{who} can no longer {verb} {_count(a.lost)}: {_list(a.lost)}" if a.lost else "",
    )


def _counts(env: EnvironmentDiff, who: str) -> list[str]:
    parts = []
    for access in ("read", "write", "could_grant"):
        for verbs, sign in ((("gains", "gain"), "gained"), (("loses", "lose"), "lost")):
            n = sum(1 for a in env.access if a.access == access and getattr(a, sign))
            if n:
                noun = who[:-1] if n == 1 and who == "principals" else who
                noun = "person" if n == 1 and who == "people" else noun
                parts.append(f"{n} {noun} {verbs[n != 1]} {_WHAT[access]}")
    return parts


def _finding(d: Diagnostic) -> str:
    return d.text()


def summary(diff: AccessDiff) -> str:
    envs = [e for e in diff.environments if e.changed]
    if not diff.changed:
        return f"no access change between {diff.base} and {diff.head}"
    who = "people" if diff.people else "principals"
    parts = []
    for e in envs:
        said = [f"{len(e.grants)} grant change{'s' * (len(e.grants) != 1)}"] if e.grants else []
        n = len(e.renewals)
        said += [f"{n} grant{'s' * (n != 1)} renewed"] if n else []
        parts.append(", ".join([f"{e.environment}: {', '.join(said)}", *_counts(e, who)]))
    if diff.introduced or diff.fixed:
        parts.append(f"findings: {len(diff.introduced)} introduced, {len(diff.fixed)} fixed")
    if diff.revocations:
        parts.append(f"{len(diff.revocations)} live grants an apply would revoke")
    return "; ".join(parts)


def _sections(diff: AccessDiff) -> list[tuple[str, list[str]]]:
    """(title, lines) of every non-empty section, in report order."""
    out: list[tuple[str, list[str]]] = []
    for env in diff.environments:
        if env.grants:
            lines = [x for g in env.grants for x in _grant_line(g, diff.names)]
            out.append((f"{env.environment}: grants as declared", lines))
        if env.renewals:
            lines = [_renewal_line(r, diff.names) for r in env.renewals]
            out.append((f"{env.environment}: grants renewed (same access, new terms)", lines))
        if env.access:
            lines = [x for a in env.access for x in _access_line(a, diff.names)]
            who = "people" if diff.people else "grantees, groups not expanded (no --identities)"
            out.append((f"{env.environment}: effective access ({who})", lines))
    if diff.introduced:
        out.append(("policy findings introduced", ["+ " + _finding(d) for d in diff.introduced]))
    if diff.fixed:
        out.append(("policy findings fixed", ["- " + _finding(d) for d in diff.fixed]))
    if diff.revocations:
        lines = [
            f"- {r.environment}: {_label(r.change.principal or '', diff.names)} loses "
            f"{', '.join(r.change.privileges)} on {r.change.securable_type.value} "
            f"{r.change.securable} ({r.change.kind.value.replace('_', ' ')})"
            for r in diff.revocations
        ]
        out.append(("live grants an authoritative apply would revoke", lines))
    return out


def render_text(diff: AccessDiff) -> str:
    lines = [f"govkit diff {diff.base}..{diff.head}: {summary(diff)}"]
    for title, body in _sections(diff):
        lines += ["", title, *("  " + line for line in body)]
    return "\n".join(lines) + "\n"


def render_markdown(diff: AccessDiff) -> str:
    lines = [f"### Access change ({diff.base}..{diff.head})", "", summary(diff) + "."]
    for title, body in _sections(diff):
        lines += ["", f"#### {title}", "", "```diff", *body, "```"]
    return "\n".join(lines) + "\n"


def _delta_json(a: AccessDelta) -> dict[str, Any]:
    return {
        "principal": a.principal,
        "kind": a.kind,
        "access": a.access,
        "gained": list(a.gained),
        "lost": list(a.lost),
    }


def render_json(diff: AccessDiff) -> str:
    document = {
        "format": "govkit.access-diff/v1",
        "base": diff.base,
        "head": diff.head,
        "changed": diff.changed,
        "changed_files": list(diff.changed_files),
        "people": diff.people,
        "environments": [
            {
                "environment": e.environment,
                "grants": [
                    {
                        "securable_type": g.securable_type,
                        "securable": g.securable,
                        "principal": g.principal,
                        "added": list(g.added),
                        "removed": list(g.removed),
                        "terms": [{"expires": e, "reason": r} for e, r in g.terms],
                    }
                    for g in e.grants
                ],
                "access": [_delta_json(a) for a in e.access],
                "renewals": [
                    {
                        "securable_type": r.securable_type,
                        "securable": r.securable,
                        "principal": r.principal,
                        "privileges": list(r.privileges),
                        "before": [{"expires": x, "reason": y} for x, y in r.before],
                        "after": [{"expires": x, "reason": y} for x, y in r.after],
                    }
                    for r in e.renewals
                ],
            }
            for e in diff.environments
        ],
        "findings": {
            "introduced": [_finding(d) for d in diff.introduced],
            "fixed": [_finding(d) for d in diff.fixed],
        },
        "revocations": [
            {"environment": r.environment, **r.change.model_dump(mode="json", exclude_none=True)}
            for r in diff.revocations
        ],
        "names": dict(sorted(diff.names.items())),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def _count(items: tuple[str, ...]) -> str:
    return f"{len(items)} securable{'s' * (len(items) != 1)}"
