"""Strings from YAML reach the metastore byte for byte through the real provider: quotes,
backslashes, newlines, unicode, `${...}` and `%{...}` in comments and principal names."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.compile.runner import apply_stacks
from tests.compile.support import TRICKY, tricky_spec
from tests.terraform.estate import compile_estate, metastore

pytestmark = pytest.mark.terraform

GROUP = 'team "${x}" %{y} \\ ü'


def test_comments_and_names_are_applied_and_read_back_verbatim(tmp_path: Path) -> None:
    estate = compile_estate(tricky_spec(tmp_path / "spec"), tmp_path / "work")
    chosen = [s for s in estate.in_order() if s.environment == "prod"]
    with metastore(estate) as running:
        # The deployer owns the schemas, which declare no grant: each holds its anchor grant
        # to it. Its odd application id is known to the account as any principal's name is.
        running.server.add_principals(["a-${b}"])
        for stack in chosen:
            estate.terraform(stack).init()
        apply_stacks([(s.id, estate.terraform(s, running.provider_env(s))) for s in chosen])
        w = running.workspace_client("prod")
        catalog = w.catalogs.get("d_prod")
        comments = [w.schemas.get(f"d_prod.s{i}").comment for i in range(len(TRICKY))]
        grants = {
            a.principal: a.privileges
            for a in w.grants.get("catalog", "d_prod").privilege_assignments or []
        }
        replanned = [
            s.id for s in chosen if estate.terraform(s, running.provider_env(s)).plan(None)
        ]
    assert catalog.comment == TRICKY[0]
    assert comments == TRICKY
    assert [p.value for p in grants[GROUP] or []] == ["USE_CATALOG"]
    assert catalog.owner == "a-${b}"  # the deployer's application id
    assert replanned == []
