"""Separation of duties: the people who hold two roles that a control keeps apart.

- GOV651: a person who can grant on a protected securable and also reads it (a grantor who is
  a consumer approves their own access).
- GOV652: a member of a domain's accountable owner group (its CODEOWNERS approvers) who reads
  or writes the domain's data through a grant to another group: they can approve the request
  that gives them access.
- GOV653: the deployer's federation policy lets a person act as the deployer: its subject is a
  person, or is not gated by a CI environment (a branch or pull-request subject, a wildcard).
"""

from __future__ import annotations

from collections import Counter

from govkit.access import AccessIndex
from govkit.audit.model import DutyConflict, Finding, finding
from govkit.audit.principals import Directory
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import Securable, State

_CONTENT = frozenset({"catalog", "schema", "table", "volume", "function"})


def _grantor_readers(
    env: DesiredEnvironment, live: State, index: AccessIndex, directory: Directory
) -> list[DutyConflict]:
    if not env.protected:
        return []
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for s in live.securables:
        names = index.names(s)
        if not names.could_grant:
            continue
        for person in names.could_grant & names.read:
            if directory.kind(person) == "user":
                counts[person] += 1
                first.setdefault(person, s.name)
    return [
        DutyConflict(
            code="GOV651",
            rule="grant-and-read",
            person=person,
            subject=first[person],
            securables=counts[person],
            detail=f"can grant on and reads {counts[person]} securable(s) in protected "
            f"environment {env.name}, e.g. {first[person]}",
        )
        for person in sorted(counts)
    ]


def _through_another_grant(
    index: AccessIndex, securable: Securable, person: str, owner: str
) -> bool:
    """Whether a reader's access comes through a grant to someone other than the owner group."""
    # Grantees are cached per shape of grants: where the owner group holds no grant that reads
    # (the rule in a protected environment), no path needs walking.
    if owner not in index.grantees(securable, "read"):
        return True
    holder = index.holder(securable, "read", person)
    grantees = {st.groups[-1] if st.groups else person for st in holder.via} if holder else set()
    return bool(grantees) and grantees != {owner}


def _self_approvers(
    env: DesiredEnvironment, live: State, index: AccessIndex, directory: Directory, spec: Spec
) -> list[DutyConflict]:
    by_name = {s.name: s for s in live.securables}
    found: dict[tuple[str, str], tuple[str, int]] = {}
    for desired in env.securables:
        live_one = by_name.get(desired.name)
        if live_one is None or desired.type.value not in _CONTENT:
            continue
        owner = spec.uc_name(desired.accountable_owner)
        readers = index.names(live_one).read
        for kind, person, _ in index.members(owner):
            if kind != "user" or person not in readers:
                continue
            if _through_another_grant(index, live_one, person, owner):
                key = (desired.domain, person)
                first, n = found.get(key, (desired.name, 0))
                found[key] = (first, n + 1)
    return [
        DutyConflict(
            code="GOV652",
            rule="approves-own-access",
            person=person,
            subject=first,
            securables=n,
            detail=f"approves requests on domain {domain} (a member of its accountable owner) "
            f"and reads {n} of its securable(s) through another grant, e.g. {first}",
        )
        for (domain, person), (first, n) in sorted(found.items())
    ]


def _deployer_subjects(env: DesiredEnvironment, spec: Spec) -> list[DutyConflict]:
    sp = spec.service_principals.get(env.deployer) if env.deployer else None
    if sp is None or sp.federation is None:
        return []
    subject = sp.federation.subject
    if "@" in subject:
        why = "names a person"
    elif ":environment:" not in subject or "*" in subject:
        why = "is not gated by a CI environment whose approvers review each run"
    else:
        return []
    return [
        DutyConflict(
            code="GOV653",
            rule="person-as-deployer",
            person=subject,
            subject=str(env.deployer),
            securables=len(env.state.securables),
            detail=f"the federation subject {subject} of deployer {env.deployer} {why}: "
            "whoever it admits acts as the owner of every securable",
        )
    ]


def build_duties(
    spec: Spec, env: DesiredEnvironment, live: State, index: AccessIndex, directory: Directory
) -> tuple[tuple[DutyConflict, ...], list[Finding]]:
    """Every separation-of-duties conflict in `env`, and one finding each."""
    conflicts = [
        *_grantor_readers(env, live, index, directory),
        *_self_approvers(env, live, index, directory, spec),
        *_deployer_subjects(env, spec),
    ]
    severity = {"GOV651": "error", "GOV652": "warning", "GOV653": "error"}
    findings = [
        finding(c.code, "error" if severity[c.code] == "error" else "warning", "access",
                c.person, f"separation of duties: {directory.show(c.person)} {c.detail}")
        for c in conflicts
    ]  # fmt: skip
    return tuple(conflicts), findings
