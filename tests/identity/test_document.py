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


def test_published_schema_is_fresh_and_the_bundled_directory_matches_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from govkit.cli.main import main
    from tests.conftest import CATALOGS, ROOT

    assert main(["schema", "identities"]) == 0
    printed = capsys.readouterr().out
    published = (ROOT / "docs" / "schemas" / "identities.json").read_text(encoding="utf-8")
    assert printed == published, "run: govkit schema identities > docs/schemas/identities.json"
    recorded = (CATALOGS / "recorded" / "identities.json").read_text(encoding="utf-8")
    jsonschema.validate(json.loads(recorded), json.loads(published))
    assert dumps(loads(recorded)) == recorded


def test_bundled_directory_is_what_its_generator_writes() -> None:
    from govkit.spec.build import load_spec
    from govkit.testing.directory import build
    from tests.conftest import CATALOGS

    spec = load_spec(str(CATALOGS)).spec
    assert spec is not None
    recorded = (CATALOGS / "recorded" / "identities.json").read_text(encoding="utf-8")
    assert dumps(build(spec)) == recorded, (
        "run: python -m govkit.testing.directory catalogs > catalogs/recorded/identities.json"
    )
