"""Directory rule cases: the base directory of _identities.yaml, changed as a case says."""

from __future__ import annotations

import json
from typing import Any

import yaml

from govkit.diagnostics import Diagnostic, locate
from govkit.identity.account import AccountPrincipals
from govkit.identity.document import loads
from govkit.pipeline import Validated
from govkit.policy.directory_check import check_directory
from govkit.spec.build import load_spec

from .helpers import CASES, Case

KEYS = {"groups": "display_name", "users": "name", "service_principals": "application_id"}
PREFIX = {"groups": "group", "users": "user", "service_principals": "sp"}


def directory_for(case: Case) -> dict[str, Any]:
    """The base directory with the case's entries replaced or added, and `remove:` removed."""
    doc: dict[str, Any] = yaml.safe_load((CASES / "_identities.yaml").read_text("utf-8"))
    change = case.identities or {}
    removed = set(change.get("remove", []))
    for kind, key in KEYS.items():
        # Keyed with the id too: Entra ID can hold two groups of one display name.
        entries = {(e[key], e.get("id")): e for e in doc[kind]}
        entries.update({(e[key], e.get("id")): e for e in change.get(kind, [])})
        doc[kind] = [e for k, e in entries.items() if f"{PREFIX[kind]}:{k[0]}" not in removed]
    for extra in ("complete", "errors"):
        if extra in change:
            doc[extra] = change[extra]
    return doc


def check_case_directory(case: Case, validated: Validated, spec_dir: str) -> list[Diagnostic]:
    assert validated.spec is not None
    doc = loads(json.dumps(directory_for(case)))
    account = None
    if case.account is not None:
        account = AccountPrincipals(
            frozenset(case.account.get("groups", [])),
            frozenset(a.lower() for a in case.account.get("service_principals", [])),
        )
    found = check_directory(
        validated.spec, validated.environments, case.as_of, doc, "identities.json", account
    )
    return locate(found, load_spec(spec_dir).sources)
