"""The identities document: canonical text, bad input, and nested groups with cycles."""

from __future__ import annotations

import json

import jsonschema
import pytest

from govkit.identity.document import (
    Group,
    IdentitiesFormatError,
    ServicePrincipal,
    User,
    dumps,
    expand_group,
    json_schema,
    loads,
    make_identities,
)

DOC = make_identities(
    "file",
    groups=[
        Group("finance-analysts", "0b9c", ("group:finance-interns", "user:alice@m.example")),
        # A cycle, as dynamic groups can make in Entra ID.
        Group("finance-interns", None, ("group:finance-analysts", "sp:9a8b", "user:bob@m.example")),
    ],
    users=[User("bob@m.example", enabled=False), User("alice@m.example", "5e1d", "Alice Ng")],
    service_principals=[ServicePrincipal("9a8b", display_name="sp-finance-etl-prod")],
)


def test_text_is_canonical_and_reads_back() -> None:
    text = dumps(DOC)
    assert loads(text) == DOC
    shuffled = json.loads(text)
    shuffled["users"].reverse()
    shuffled["groups"][0]["members"].reverse()
    assert dumps(loads(json.dumps(shuffled))) == text
    jsonschema.validate(json.loads(text), json_schema())


def test_nested_groups_expand_to_people_through_a_cycle() -> None:
    members = {(m.kind, m.name): m.via for m in expand_group(DOC, "finance-analysts")}
    assert members == {
        ("user", "alice@m.example"): ("finance-analysts",),
        ("user", "bob@m.example"): ("finance-interns", "finance-analysts"),
        ("sp", "9a8b"): ("finance-interns", "finance-analysts"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON at line 1"),
        ('{"format": "govkit.state/v1"}', "not an identities document"),
        (
            '{"format": "govkit.identities/v1", "source": "file", "groups": [{"name": "x"}]}',
            "invalid identities document at groups.0",
        ),
        (
            '{"format": "govkit.identities/v1", "source": "file",'
            ' "groups": [{"display_name": "x", "members": ["device:abc"]}]}',
            "groups.0.members.0",
        ),
    ],
)
def test_bad_documents_are_named_errors(text: str, message: str) -> None:
    with pytest.raises(IdentitiesFormatError, match=message):
        loads(text)
