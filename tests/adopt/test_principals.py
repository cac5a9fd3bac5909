"""Who is a group, a service principal or a user: a directory first, the name's shape second."""

from __future__ import annotations

import json
from pathlib import Path

from govkit.adopt.directory import from_identities
from govkit.adopt.principals import NO_DIRECTORY, classify
from govkit.cli.main import main
from govkit.identity.document import Group, ServicePrincipal, User, dumps, make_identities
from tests.adopt.test_cli import _file, _import, dev_state

APP = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def _identities() -> object:
    return make_identities(
        "file",
        groups=[Group("sales-owners"), Group("analysts"), Group("ops@example.com")],
        users=[User("ada@example.com"), User("left@example.com", enabled=False)],
        service_principals=[ServicePrincipal(APP, display_name="sp-sales-etl")],
    )


def test_the_shape_of_a_name_decides_without_a_directory() -> None:
    found, problems = classify(["analysts", "ada@example.com", APP], NO_DIRECTORY)
    assert {n: (p.kind, p.key) for n, p in found.items()} == {
        "analysts": ("group", "analysts"),
        "ada@example.com": ("user", "ada@example.com"),
        APP: ("service_principal", "sp-9a8b7c6d"),
    }
    assert problems == []


def test_an_identities_document_decides_and_names_who_is_gone_or_local() -> None:
    directory = from_identities(_identities(), "ids.json")  # type: ignore[arg-type]
    names = ["ops@example.com", APP, "left@example.com", "workspace-admins", "gone@example.com"]
    found, problems = classify(names, directory)
    assert found["ops@example.com"].kind == "group"  # a group may look like an e-mail
    assert found[APP].key == "sp-sales-etl"
    assert found[APP].how == "application id of 'sp-sales-etl' in the identities document ids.json"
    messages = {d.file: d.message for d in problems}
    assert messages == {
        "left@example.com": "user left@example.com is disabled in the identities document "
        "ids.json: has it left?",
        "gone@example.com": "user gone@example.com is not in the identities document ids.json: "
        "has it left?",
        "workspace-admins": "group workspace-admins is not in the identities document ids.json: "
        "a workspace-local group, or one not synced to the account; Unity Catalog grants need "
        "account groups",
    }


def test_a_service_principal_never_takes_a_group_s_name() -> None:
    directory = from_identities(
        make_identities(
            "file",
            groups=[Group("etl")],
            service_principals=[ServicePrincipal(APP, display_name="etl")],
        ),
        "ids.json",
    )
    found, _ = classify(["etl", APP], directory)
    assert found["etl"].key == "etl" and found[APP].key == "sp-9a8b7c6d"


def test_import_with_an_identities_file(tmp_path: Path, capsys) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text(dumps(_identities()), "utf-8")  # type: ignore[arg-type]
    out = tmp_path / "spec"
    assert _import(_file(tmp_path, dev_state()), out, "dev", "--identities", str(ids)) == 0
    err = capsys.readouterr().err
    assert "left@example.com: GOV706 warning: user left@example.com is disabled" in err
    principals = (out / "principals.yaml").read_text("utf-8")
    assert "# user: a user in the identities document ids.json" in principals
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "govkit.identities/v1", "groups": 3}), "utf-8")
    assert (
        _import(_file(tmp_path, dev_state()), tmp_path / "other", "dev", "--identities", str(bad))
        == 1
    )
    assert f"{bad}: invalid identities document" in capsys.readouterr().err
    assert main(["validate", str(out)]) == 0
