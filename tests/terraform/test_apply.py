"""Plan and apply the generated stacks with the real provider against the local server."""

from __future__ import annotations

import pytest

from govkit.compile.runner import planned_changes
from govkit.state import Storage
from tests.terraform.estate import Estate, Metastore, account_level, metastore

pytestmark = pytest.mark.terraform


def test_every_golden_stack_plans_its_resources_against_a_fresh_server(golden: Estate) -> None:
    with metastore(golden) as running:
        for stack in golden.in_order():
            tf = golden.terraform(stack, running.provider_env(stack))
            assert tf.plan(), f"{stack.id}: a fresh stack must plan changes"
            actions = {a for _, a in planned_changes(tf.show_plan())}
            assert actions == {("create",)}, (stack.id, actions)


def test_every_stack_of_every_environment_applies_then_plans_no_changes(
    bundled: Estate, applied: Metastore
) -> None:
    assert {s.environment for s in bundled.stacks} == {"dev", "staging", "prod"}
    changed = bundled.each(lambda s: bundled.terraform(s, applied.provider_env(s)).plan(None))
    assert len(changed) == len(bundled.stacks)
    assert [stack_id for stack_id, changes in changed.items() if changes] == []


def test_the_metastore_holds_what_the_spec_declares(bundled: Estate, applied: Metastore) -> None:
    live = applied.server.dump_state()
    held = {(s.type.value, s.name): s for s in live.securables}
    for environment in bundled.environments:
        for declared in environment.state.securables:
            got = held[(declared.type.value, declared.name)]
            assert (got.owner, dict(got.grants)) == (declared.owner, dict(declared.grants))
            assert Storage.of(got) == Storage.of(declared), declared.name
            if declared.type.value == "catalog":
                assert got.workspace_ids == declared.workspace_ids, declared.name


def test_principal_stacks_apply_at_the_account_host(bundled: Estate, applied: Metastore) -> None:
    from databricks.sdk import AccountClient

    account = AccountClient(
        host=applied.account_url,
        account_id=applied.server.store.account_id,
        token=applied.server.token,
        auth_type="pat",
    )
    declared = {
        m["application_id"]: m
        for stack in bundled.stacks
        if account_level(stack)
        for m in stack.document["module"].values()
    }
    created = {sp.application_id: sp for sp in account.service_principals.list()}
    assert set(created) == set(declared)
    for app_id, call in declared.items():
        sp_id = int(created[app_id].id or 0)
        for workspace in call["workspace_ids"]:
            assigned = account.workspace_assignment.list(workspace_id=workspace)
            assert sp_id in {a.principal.principal_id for a in assigned if a.principal}
        if call["federation"]:
            policy = account.service_principal_federation_policy.get(sp_id, "govkit-ci")
            assert policy.oidc_policy is not None
            assert policy.oidc_policy.subject == call["federation"]["subject"]
