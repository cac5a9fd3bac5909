"""Storage credentials and external locations through the real provider and the local server."""

from __future__ import annotations

import pytest

from tests.terraform.estate import Estate, metastore

pytestmark = pytest.mark.terraform


def test_golden_storage_applies_then_plans_no_changes(golden: Estate) -> None:
    with metastore(golden) as running:
        wanted = [s for s in golden.in_order() if s.kind in ("shared", "storage")]
        assert [s.id for s in wanted if s.kind == "storage"] == ["dev/_storage", "prod/_storage"]
        for stack in wanted:
            golden.terraform(stack, running.provider_env(stack)).apply()
        for stack in wanted:
            assert not golden.terraform(stack, running.provider_env(stack)).plan(None), stack.id
        objects = running.server.store.objects
        held = {
            (t.value, n): o
            for (t, n), o in objects.items()
            if t.value.endswith(("location", "credential"))
        }
        assert set(held) == {
            ("storage_credential", "cred-dev"),
            ("storage_credential", "cred-prod"),
            ("external_location", "lake-dev"),
            ("external_location", "lake-prod"),
            ("external_location", "vendor-feed-prod"),
        }
        feed = held[("external_location", "vendor-feed-prod")]
        assert (feed.extra["url"], feed.extra["read_only"]) == ("s3://vendor-feed/acme", True)
        # In prod the deployer owns storage; the grants are exactly the declared ones.
        assert feed.owner == "00000000-0000-4000-8000-000000000001"
        assert feed.grants == {"00000000-0000-4000-8000-000000000002": {"READ_FILES"}}
        assert held[("storage_credential", "cred-prod")].extra["aws_iam_role"]["role_arn"] == (
            "arn:aws:iam::123456789012:role/uc-prod"
        )
