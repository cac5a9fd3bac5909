"""A small identities document for the bundled estate, until its recorded one lands.

Every declared group with a person or two, one nested group (finance-interns inside
finance-analysts), one disabled person, and every declared service principal.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from govkit.identity.document import (
    Group,
    Identities,
    ServicePrincipal,
    User,
    dumps,
    make_identities,
)
from tests.conftest import CATALOGS

DOMAIN = "meridian.example"


def bundled_identities() -> Identities:
    principals = yaml.safe_load((CATALOGS / "principals.yaml").read_text(encoding="utf-8"))
    groups: list[Group] = []
    users: dict[str, User] = {}
    for i, name in enumerate(sorted(principals["groups"])):
        people = [f"{name.split('-')[0]}.{n}{i}@{DOMAIN}" for n in ("ana", "ben")[: 1 + i % 2]]
        members = [f"user:{p}" for p in people]
        if name == "finance-analysts":
            members.append("group:finance-interns")
        groups.append(Group(name, None, tuple(members)))
        users.update({p: User(p, display_name=p.split("@")[0]) for p in people})
    groups.append(Group("finance-interns", None, (f"user:intern.ivy@{DOMAIN}",)))
    users[f"intern.ivy@{DOMAIN}"] = User(f"intern.ivy@{DOMAIN}", display_name="Ivy Intern")
    # The people of the recorded drift (govkit.audit.recorded): one still here, one who left.
    users[f"ada.dubois@{DOMAIN}"] = User(f"ada.dubois@{DOMAIN}", display_name="Ada Dubois")
    users[f"amara.kowalski3@{DOMAIN}"] = User(f"amara.kowalski3@{DOMAIN}", enabled=False)
    sps = [
        ServicePrincipal(sp["application_id"], display_name=name)
        for name, sp in principals["service_principals"].items()
    ]
    return make_identities("file", groups, users.values(), sps)


def write_identities(folder: Path) -> str:
    path = folder / "identities.json"
    path.write_text(dumps(bundled_identities()), encoding="utf-8")
    return str(path)
