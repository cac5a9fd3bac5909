"""Effective access from hand-written States and identities: the rules of DESIGN, one by one."""

from __future__ import annotations

from govkit.access import AccessIndex, effective_access, group_aliases
from govkit.identity.document import Group, ServicePrincipal, User, make_identities
from govkit.privileges import SecurableType as T
from govkit.state import State, make_securable, make_state

SP = "9a8b7c6d-0000-4000-8000-000000000001"
DEPLOYER = "6a1e0c3d-0000-4000-8000-000000000002"

IDENTITIES = make_identities(
    "file",
    groups=[
        Group("finance-analysts", None, ("group:finance-interns", "user:alice@m.example")),
        # interns are nested in analysts, and (a cycle) analysts in interns
        Group("finance-interns", None, ("group:finance-analysts", "user:ivy@m.example")),
        Group("finance-owners", None, ("user:olga@m.example",)),
        Group("schema-owners", None, ("user:sam@m.example",)),
        Group("readers-of-raw", None, ("user:ivy@m.example", "user:rita@m.example")),
        Group("stewards", None, ("user:stu@m.example",)),
    ],
    users=[
        User(n)
        for n in (
            "alice@m.example",
            "ivy@m.example",
            "olga@m.example",
            "sam@m.example",
            "rita@m.example",
            "stu@m.example",
            "dan@m.example",
        )
    ],
    service_principals=[ServicePrincipal(SP, display_name="sp-finance-etl-prod")],
)


def _state(*extra: tuple[T, str, str | None, dict[str, list[str]]]) -> State:
    base: list[tuple[T, str, str | None, dict[str, list[str]]]] = [
        (
            T.CATALOG,
            "finance_prod",
            DEPLOYER,
            {
                "finance-analysts": ["SELECT", "USE_CATALOG"],
                "readers-of-raw": ["USE_CATALOG"],
                SP: ["ALL_PRIVILEGES"],
                "stewards": ["MANAGE"],
            },
        ),
        (T.SCHEMA, "finance_prod.reporting", "schema-owners", {"finance-interns": ["USE_SCHEMA"]}),
        (T.TABLE, "finance_prod.reporting.revenue", "finance-owners", {}),
        (T.SCHEMA, "finance_prod.raw", DEPLOYER, {"readers-of-raw": ["USE_SCHEMA"]}),
        (T.TABLE, "finance_prod.raw.ledger", DEPLOYER, {"readers-of-raw": ["SELECT"]}),
        *extra,
    ]
    return make_state(
        "file",
        [make_securable(t, n, o, g) for t, n, o, g in base],
        environment="prod",
    )


def _index(*extra: tuple[T, str, str | None, dict[str, list[str]]]) -> AccessIndex:
    return effective_access(_state(*extra), IDENTITIES)


def test_reading_a_table_needs_select_use_schema_and_use_catalog_through_any_groups() -> None:
    access = _index().on("finance_prod.reporting.revenue")
    readers = {h.principal: h.lines() for h in access.read}
    # alice holds SELECT and USE_CATALOG through analysts, USE_SCHEMA through interns, in
    # which she is nested through the cycle analysts -> interns -> analysts.
    assert readers["alice@m.example"] == (
        "alice@m.example <- group finance-analysts: SELECT on catalog finance_prod",
        "alice@m.example <- group finance-analysts <- group finance-interns: "
        "USE_SCHEMA on schema finance_prod.reporting",
        "alice@m.example <- group finance-analysts: USE_CATALOG on catalog finance_prod",
    )
    assert readers["ivy@m.example"][1] == (
        "ivy@m.example <- group finance-interns: USE_SCHEMA on schema finance_prod.reporting"
    )
    assert readers[SP] == (
        f"{SP}: ALL_PRIVILEGES on catalog finance_prod",
        f"{SP}: ALL_PRIVILEGES on catalog finance_prod",
        f"{SP}: ALL_PRIVILEGES on catalog finance_prod",
    )
    # rita has USE_CATALOG but neither USE_SCHEMA on reporting nor SELECT: no read.
    assert set(readers) == {"alice@m.example", "ivy@m.example", SP}


def test_a_grant_without_its_use_path_gives_nothing() -> None:
    # stewards hold SELECT on the table, but no USE_SCHEMA or USE_CATALOG.
    access = _index(
        (T.TABLE, "finance_prod.reporting.margin", DEPLOYER, {"stewards": ["SELECT"]})
    ).on("finance_prod.reporting.margin")
    assert "stu@m.example" not in {h.principal for h in access.read}


def test_ownership_gives_everything_on_the_securable_itself_but_does_not_flow_down() -> None:
    index = _index()
    revenue = index.on("finance_prod.reporting.revenue")
    # sam's group owns the schema: USE_SCHEMA on it, but no SELECT on its tables.
    assert "sam@m.example" not in {h.principal for h in revenue.read}
    # olga's group owns the table (SELECT, MODIFY), yet lacks USE_CATALOG: no read, no write.
    assert "olga@m.example" not in {h.principal for h in revenue.read}
    assert "olga@m.example" not in {h.principal for h in revenue.write}
    schema = index.on("finance_prod.reporting")
    assert "sam@m.example" not in {h.principal for h in schema.read}  # no USE_CATALOG either


def test_write_is_modify_with_the_same_path() -> None:
    access = _index().on("finance_prod.reporting.revenue")
    assert [h.principal for h in access.write] == [SP]
    assert access.write[0].kind == "service_principal"


def test_could_grant_is_owners_of_the_securable_or_an_ancestor_and_manage_holders() -> None:
    access = _index().on("finance_prod.reporting.revenue")
    granting = {h.principal: h.lines() for h in access.could_grant}
    assert granting["olga@m.example"] == (
        "olga@m.example <- group finance-owners: owner of table finance_prod.reporting.revenue",
    )
    assert granting["sam@m.example"] == (
        "sam@m.example <- group schema-owners: owner of schema finance_prod.reporting",
    )
    assert granting[DEPLOYER] == (f"{DEPLOYER}: owner of catalog finance_prod",)
    assert granting["stu@m.example"] == (
        "stu@m.example <- group stewards: MANAGE on catalog finance_prod",
    )
    # ALL_PRIVILEGES does not include MANAGE.
    assert SP not in granting


def test_volumes_read_with_read_volume_and_functions_execute() -> None:
    index = _index(
        (T.VOLUME, "finance_prod.raw.files", DEPLOYER, {"readers-of-raw": ["READ_VOLUME"]}),
        (T.FUNCTION, "finance_prod.raw.mask", DEPLOYER, {"readers-of-raw": ["EXECUTE"]}),
    )
    files = index.on("finance_prod.raw.files")
    # The deployer owns the volume, its schema and its catalog: it holds all three itself.
    expected = [DEPLOYER, SP, "ivy@m.example", "rita@m.example"]
    assert [h.principal for h in files.read] == expected
    mask = index.on("finance_prod.raw.mask")
    assert [h.principal for h in mask.read] == expected
    assert mask.write == ()


def test_what_a_person_reads_and_writes() -> None:
    ivy = _index().of("ivy@m.example")
    assert ivy.kind == "user"
    # SELECT on the catalog reads every schema where the USE_SCHEMA path exists.
    assert [(r.securable_type.value, r.securable) for r in ivy.reads] == [
        ("schema", "finance_prod.raw"),
        ("schema", "finance_prod.reporting"),
        ("table", "finance_prod.raw.ledger"),
        ("table", "finance_prod.reporting.revenue"),
    ]
    assert ivy.reads[2].via[0].text("ivy@m.example") == (
        "ivy@m.example <- group readers-of-raw: SELECT on table finance_prod.raw.ledger"
    )
    assert ivy.writes == ()
    etl = _index().of(SP)
    assert etl.kind == "service_principal"
    assert {r.securable for r in etl.writes} >= {"finance_prod.raw.ledger", "finance_prod"}


def test_direct_grants_to_people_and_unknown_groups() -> None:
    index = _index(
        (
            T.TABLE,
            "finance_prod.private.positions",
            DEPLOYER,
            {"dan@m.example": ["SELECT"], "ghost-group": ["SELECT"]},
        ),
        (T.SCHEMA, "finance_prod.private", DEPLOYER, {"dan@m.example": ["USE_SCHEMA"]}),
    )
    # dan has SELECT and USE_SCHEMA directly but no USE_CATALOG
    positions = index.on("finance_prod.private.positions")
    assert "dan@m.example" not in {h.principal for h in positions.read}
    assert index.principal_kind("dan@m.example") == "user"
    assert index.principal_kind("ghost-group") == "group"
    assert not index.is_known("ghost-group")
    # Without identities nothing expands: groups are named, never dropped.
    bare = effective_access(_state(), None).on("finance_prod.reporting.revenue")
    assert {(h.principal, h.kind) for h in bare.read} == {(SP, "service_principal")}
    bare_grant = effective_access(_state(), None).on("finance_prod.raw.ledger")
    assert ("readers-of-raw", "group") in {(h.principal, h.kind) for h in bare_grant.read}


def test_names_agree_with_the_full_answer() -> None:
    index = _index()
    for securable in index.state.securables:
        full = index.on(securable.name)
        names = index.names(securable)
        assert names.read == {h.principal for h in full.read}
        assert names.write == {h.principal for h in full.write}
        assert names.could_grant == {h.principal for h in full.could_grant}


def test_json_document_names_people_with_their_paths() -> None:
    from govkit.access.render import principal_document, securable_document

    index = _index()
    doc = securable_document(index.on("finance_prod.reporting.revenue"), "prod")
    assert doc["format"] == "govkit.access/v1"
    assert (doc["environment"], doc["on"]) == ("prod", "finance_prod.reporting.revenue")
    assert [e["principal"] for e in doc["read"]] == [SP, "alice@m.example", "ivy@m.example"]
    assert doc["write"] == [
        {
            "principal": SP,
            "kind": "service_principal",
            "via": [f"{SP}: ALL_PRIVILEGES on catalog finance_prod"] * 3,
        }
    ]
    mine = principal_document(index.of("rita@m.example"), "prod")
    assert mine["principal"] == "rita@m.example"
    assert [r["securable"] for r in mine["reads"]] == ["finance_prod.raw.ledger"]


def test_grantees_name_the_grants_that_give_access() -> None:
    index = _index()
    revenue = index.securable("finance_prod.reporting.revenue")
    # alice and ivy read through the catalog grant to finance-analysts; the SP directly.
    assert index.grantees(revenue, "read") == (SP, "finance-analysts")
    assert index.grantees(revenue, "write") == (SP,)


def test_a_group_renamed_in_entra_id_is_found_by_its_object_id() -> None:
    renamed = make_identities(
        "file",
        groups=[Group("insight-analysts", "oid-1", ("user:alice@m.example",))],
        users=[User("alice@m.example")],
    )
    grants = {"analysts": ("SELECT", "USE_CATALOG", "USE_SCHEMA")}
    state = make_state("file", [make_securable(T.CATALOG, "c", None, grants)])
    aliases = group_aliases({"analysts": "oid-1", "others": "oid-2"}, renamed)
    assert aliases == {"analysts": "insight-analysts"}
    found = effective_access(state, renamed, aliases).on("c").read
    assert [(h.principal, h.kind) for h in found] == [("alice@m.example", "user")]
    assert found[0].lines()[0] == "alice@m.example <- group analysts: SELECT on catalog c"
    # Without the object id the group is unknown: named as a group, never as a person.
    alone = effective_access(state, renamed).on("c").read
    assert [(h.principal, h.kind) for h in alone] == [("analysts", "group")]
