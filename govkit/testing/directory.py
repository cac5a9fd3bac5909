"""A realistic Entra ID directory for a spec: `python -m govkit.testing.directory catalogs`.

Prints an identities document (as a recorded Graph read) for the spec's groups and service
principals: about 450 people in owner, engineer and analyst groups per domain, interns nested
in analysts, owners nested in data-stewards, and the faults a real tenant accumulates, each one
that `govkit identities check` must find:

- a renamed group: `customer-analysts` is `customer-insight-analysts` in Entra ID now;
- a deleted group: `marketing-engineers` is declared but gone;
- a departed owner: the only member of `risk-owners` is a disabled account;
- a service principal without its application: `sp-marketing-etl-prod`;
- leavers: a few disabled accounts left in groups, as in every tenant.

Deterministic: the same spec gives the same bytes (`catalogs/recorded/identities.json`).
"""

from __future__ import annotations

import random
import sys
import uuid

from govkit.identity.document import (
    Group,
    Identities,
    ServicePrincipal,
    User,
    dumps,
    make_identities,
)
from govkit.spec.build import Spec, load_spec

DOMAIN = "meridian.example"
TAKEN_AT = "2026-11-26T02:00:00Z"
RENAMED = ("customer-analysts", "customer-insight-analysts")
DELETED_GROUP = "marketing-engineers"
DEPARTED_OWNER_GROUP = "risk-owners"
MISSING_APPLICATION = "sp-marketing-etl-prod"
_NAMESPACE = uuid.UUID("0d6b2c1e-8a4f-4e7b-9c3d-5f1a2b3c4d5e")

FIRST = (
    "Ada", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hannah", "Ivan", "Jun", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Dmitri",
)  # fmt: skip
LAST = (
    "Ng", "Okafor", "Schmidt", "Rossi", "Haddad", "Kowalski", "Tanaka", "Silva", "Murphy",
    "Johansson", "Dubois", "Patel", "Kim", "Novak", "Garcia",
)  # fmt: skip

# People per role in each domain's groups.
TEAM = {"owners": 3, "engineers": 16, "analysts": 38, "interns": 5}
OTHER_TEAMS = {"fraud-analysts": 20, "model-validation": 10, "execs": 8, "internal-audit": 6,
               "data-stewards": 5, "metastore-admins": 4}  # fmt: skip


def _id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


class _People:
    """Unique, readable people: first.last, with a number where a name repeats."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.users: list[User] = []
        self._taken: set[str] = set()

    def hire(self, enabled: bool = True) -> str:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        local, n = f"{first}.{last}".lower(), 1
        while f"{local}{n if n > 1 else ''}" in self._taken:
            n += 1
        local = f"{local}{n if n > 1 else ''}"
        self._taken.add(local)
        upn = f"{local}@{DOMAIN}"
        self.users.append(User(upn, _id("user", upn), f"{first} {last}", enabled))
        return upn

    def team(self, size: int, leavers: float = 0.03) -> list[str]:
        return [f"user:{self.hire(self.rng.random() >= leavers)}" for _ in range(size)]


def build(spec: Spec, seed: int = 2026) -> Identities:
    """The directory for `spec`; same spec and seed, same document."""
    rng = random.Random(seed)
    people = _People(rng)
    members: dict[str, list[str]] = {name: [] for name in sorted(spec.groups)}
    domains = sorted(doc.domain.domain for doc in spec.domains)
    for domain in domains:
        for role, size in TEAM.items():
            group = f"{domain}-{role}"
            members.setdefault(group, []).extend(
                people.team(size, leavers=0 if role == "owners" else 0.03)
            )
        members[f"{domain}-analysts"].append(f"group:{domain}-interns")
    for group, size in OTHER_TEAMS.items():
        members.setdefault(group, []).extend(people.team(size))
    members.setdefault("data-stewards", []).extend(f"group:{d}-owners" for d in domains)
    members.setdefault("dev-sandbox-users", []).extend(
        f"group:{d}-{role}" for d in domains for role in ("engineers", "analysts")
    )
    members[DEPARTED_OWNER_GROUP] = [f"user:{people.hire(enabled=False)}"]
    while len(people.users) < 450:  # accounts in no group: new starters, shared mailboxes
        people.hire(rng.random() >= 0.2)
    return make_identities(
        "graph",
        _groups(spec, members),
        people.users,
        _service_principals(spec),
        taken_at=TAKEN_AT,
    )


def _groups(spec: Spec, members: dict[str, list[str]]) -> list[Group]:
    declared = {name: g.entra_object_id for name, g in spec.groups.items()}
    renamed = dict([RENAMED])
    names = {name: renamed.get(name, name) for name in members}
    groups = []
    for name, listed in members.items():
        if name == DELETED_GROUP:
            continue
        kept = [m for m in listed if not m.startswith("group:") or m[6:] != DELETED_GROUP]
        shown = [f"group:{names[m[6:]]}" if m.startswith("group:") else m for m in kept]
        groups.append(Group(names[name], declared.get(name) or _id("group", name), tuple(shown)))
    return groups


def _service_principals(spec: Spec) -> list[ServicePrincipal]:
    return [
        ServicePrincipal(sp.application_id, _id("sp", sp.application_id), name, True)
        for name, sp in sorted(spec.service_principals.items())
        if name != MISSING_APPLICATION
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec_dir = args[0] if args else "catalogs"
    loaded = load_spec(spec_dir)
    if loaded.spec is None:
        print(f"govkit.testing.directory: {spec_dir}: not a valid spec", file=sys.stderr)
        return 1
    sys.stdout.write(dumps(build(loaded.spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
