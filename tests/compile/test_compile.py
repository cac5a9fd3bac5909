"""The compiler on the bundled estate and on small specs: stacks, owners, authority, paths."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest

from govkit.compile import CompileError
from tests.compile.support import (
    PRINCIPALS,
    ROOT,
    compile_spec,
    organisation,
    write_spec,
)

DOMAINS = ["customer", "finance", "marketing", "payments", "platform", "risk"]


@pytest.fixture(scope="module")
def estate() -> dict[str, object]:
    compiled = compile_spec(ROOT / "catalogs")
    return {s.id: s for s in compiled.stacks} | {"_files": compiled.files()}


def module_call(document: object, name: str = "domain") -> dict[str, object]:
    assert isinstance(document, dict)
    call = document["module"][name]
    assert isinstance(call, dict)
    return call


def test_one_stack_per_environment_and_domain_plus_shared_principals_and_storage(estate):
    ids = {k for k in estate if k != "_files"}
    expected = {f"{env}/{d}" for env in ("dev", "staging", "prod") for d in DOMAINS}
    # Only staging and prod have service principals of their own; every one has storage.
    storage = {f"{env}/_storage" for env in ("dev", "staging", "prod")}
    assert ids == expected | storage | {"staging/_shared", "prod/_shared"}


def test_stacks_json_lists_every_stack_with_its_spec_files(estate):
    index = json.loads(estate["_files"]["stacks.json"])
    entries = {e["id"]: e for e in index["stacks"]}
    assert entries["prod/finance"]["depends_on"] == [
        "domains/finance.yaml",
        "govkit.yaml",
        "principals.yaml",
    ]
    assert entries["prod/finance"]["environment"] == "prod"
    assert entries["prod/finance"]["domain"] == "finance"
    assert entries["prod/_shared"]["depends_on"] == ["govkit.yaml", "principals.yaml"]
    assert entries["prod/_shared"]["domain"] is None


def test_protected_environment_is_owned_by_the_deployer_application_id(estate):
    prod = module_call(estate["prod/finance"].document)
    dev = module_call(estate["dev/finance"].document)
    deployer = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
    assert prod["owner"] == deployer
    assert {s["owner"] for s in prod["schemas"]} == {deployer}
    assert dev["owner"] == "finance-owners"


def test_grants_name_service_principals_by_application_id(estate):
    grants = module_call(estate["prod/finance"].document)["grants"]
    principals = {g["principal"] for g in grants}
    assert "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d" in principals  # sp-finance-etl-prod
    assert "sp-finance-etl-prod" not in principals


def test_authority_follows_the_domain(estate):
    assert module_call(estate["prod/marketing"].document)["authority"] == "additive"
    assert module_call(estate["prod/finance"].document)["authority"] == "authoritative"


def test_catalog_is_bound_to_exactly_its_environments_workspaces(estate):
    assert module_call(estate["prod/risk"].document)["workspace_ids"] == [
        3001,
        3002,
        3003,
        3004,
        3005,
    ]
    assert module_call(estate["dev/risk"].document)["workspace_ids"] == [1001, 1002, 1003, 1004]


def test_each_stack_has_its_own_state_key_and_a_pinned_provider(estate):
    keys = set()
    for stack_id, stack in estate.items():
        if stack_id == "_files":
            continue
        terraform = stack.document["terraform"]
        keys.add(terraform["backend"]["azurerm"]["key"])
        assert terraform["required_providers"]["databricks"]["version"] == "~> 1.128"
    assert len(keys) == len(estate) - 1
    assert "prod/finance.tfstate" in keys


def test_module_source_points_at_the_repository_modules_from_any_out_folder(tmp_path):
    out = tmp_path / "deep" / "out"
    modules = ROOT / "terraform" / "modules"
    from govkit.cli.compile import modules_relative_to

    compiled = compile_spec(ROOT / "catalogs", modules_relative_to(str(out), str(modules)))
    stack = next(s for s in compiled.stacks if s.id == "dev/finance")
    source = module_call(stack.document)["source"]
    target = posixpath.normpath(posixpath.join(out.as_posix(), stack.id, source))
    assert Path(target) == modules / "uc-domain"


def test_service_principal_with_federation_reaches_the_shared_stack(estate):
    call = module_call(estate["prod/_shared"].document, "sp-uc-deploy-prod")
    assert call["application_id"] == "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
    assert call["federation"]["subject"] == "repo:meridian/uc-governance:environment:prod"
    assert call["workspace_ids"] == [3001, 3002, 3003, 3004, 3005]


def test_principal_of_several_environments_is_created_once_in_the_account_stack(tmp_path):
    principals = {
        "groups": {"owners": {}},
        "service_principals": {
            "sp-deploy": {"application_id": "a1", "environments": ["prod"]},
            "sp-everywhere": {"application_id": "a2"},
        },
    }
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": organisation(),
            "principals.yaml": principals,
            "domains/d.yaml": {"domain": "d", "owner": "owners"},
        },
    )
    stacks = {s.id: s for s in compile_spec(spec).stacks}
    assert set(module_call(stacks["_account/_shared"].document, "sp-everywhere")) >= {"source"}
    assert module_call(stacks["_account/_shared"].document, "sp-everywhere")["workspace_ids"] == [
        11,
        31,
    ]
    assert list(stacks["prod/_shared"].document["module"]) == ["sp-deploy"]


def test_a_domain_named_like_the_shared_stack_is_refused(tmp_path):
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": organisation(),
            "principals.yaml": PRINCIPALS,
            "domains/s.yaml": {"domain": "_shared", "owner": "owners"},
        },
    )
    with pytest.raises(CompileError, match="reserved"):
        compile_spec(spec)


def test_local_backend_keeps_state_outside_the_output_folder(tmp_path):
    spec = write_spec(
        tmp_path,
        {
            "govkit.yaml": organisation(),
            "principals.yaml": PRINCIPALS,
            "domains/d.yaml": {"domain": "d", "owner": "owners"},
        },
    )
    stack = next(s for s in compile_spec(spec).stacks if s.id == "dev/d")
    path = stack.document["terraform"]["backend"]["local"]["path"]
    # Relative to <out>/dev/d: three levels up is the output folder's parent.
    assert path == "../../../terraform-state/dev/d.tfstate"
