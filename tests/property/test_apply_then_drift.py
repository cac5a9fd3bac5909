"""Every promise drift makes, the apply keeps: a property test with the real provider.

Hypothesis draws a small spec (two domains, each authoritative or additive, catalogs, schemas
and tables with and without grants, a storage credential and an external location, one
environment) and out-of-band changes on every securable type the spec declares (grants added
and removed, owners changed, workspace bindings and the isolation mode changed). The stacks are
applied by the real Terraform CLI and Databricks provider to a fresh local metastore, the changes
are made through databricks-sdk, and the stacks are applied again. Then `govkit drift`, through
the workspace and the warehouse reader alike, must show that the apply did everything drift said
it would ("the next apply ...") and nothing else: what drift said it leaves alone is still there.

Budget: the `ci` profile (2 examples, derandomised) under CI=true, `dev` (2) on a laptop, and
GOVKIT_PROPERTY_EXAMPLES=N for a longer hunt (`deep`, with shrinking). A failure prints its case
as JSON: save it as tests/property/cases/NAME.json and it runs every time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.compile.support import MODULES
from tests.property.harness import DOMAINS, GROUPS, Harness
from tests.terraform.tools import mirror_config, terraform_binary

pytestmark = pytest.mark.terraform

CASES = Path(__file__).parent / "cases"
_COMMON = {
    "deadline": None,
    "database": None,  # a failure is saved as a case file, not in a local database
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile(
    "ci", max_examples=2, derandomize=True, phases=[Phase.explicit, Phase.generate], **_COMMON
)
settings.register_profile("dev", max_examples=2, phases=[Phase.explicit, Phase.generate], **_COMMON)
settings.register_profile(
    "deep", max_examples=int(os.environ.get("GOVKIT_PROPERTY_EXAMPLES") or 25), **_COMMON
)
PROFILE = (
    "deep"
    if os.environ.get("GOVKIT_PROPERTY_EXAMPLES")
    else "ci"
    if os.environ.get("CI", "").lower() == "true"
    else "dev"
)

_PRIVILEGES = {
    "catalog": ("USE_CATALOG", "BROWSE", "SELECT", "USE_SCHEMA"),
    "schema": ("USE_SCHEMA", "SELECT"),
    "table": ("SELECT", "MODIFY"),
    "storage": ("READ_FILES", "WRITE_FILES"),
}


def _grants(kind: str) -> st.SearchStrategy[list[list[Any]]]:
    """Up to two declared grants, each a principal with one or two privileges."""
    grant = st.tuples(
        st.sampled_from(GROUPS[2:4]),
        st.lists(st.sampled_from(_PRIVILEGES[kind]), min_size=1, max_size=2, unique=True),
    ).map(lambda g: [g[0], sorted(g[1])])
    return st.lists(grant, max_size=2, unique_by=lambda g: g[0])


def _schema() -> st.SearchStrategy[dict[str, Any]]:
    tables = st.dictionaries(
        st.sampled_from(("t0", "t1")), st.fixed_dictionaries({"grants": _grants("table")}),
        max_size=2,
    )  # fmt: skip
    return st.fixed_dictionaries({"grants": _grants("schema"), "tables": tables})


def _domain() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "authority": st.sampled_from(("authoritative", "additive")),
            "grants": _grants("catalog"),
            "schemas": st.dictionaries(st.sampled_from(("s0", "s1")), _schema(), max_size=2),
        }
    )


_CHANGE = st.fixed_dictionaries(
    {
        "op": st.sampled_from(("grant", "revoke", "owner", "unbind", "bind-stray", "open")),
        "target": st.integers(0, 40),
        "principal": st.sampled_from(GROUPS),
        "pick": st.integers(0, 3),
    }
)

CASE = st.fixed_dictionaries(
    {
        "domains": st.fixed_dictionaries({d: _domain() for d in DOMAINS}),
        "storage": st.fixed_dictionaries(
            {"credential": _grants("storage"), "location": _grants("storage")}
        ),
        "changes": st.lists(_CHANGE, min_size=1, max_size=5),
    }
)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    yield Harness(tmp_path_factory.mktemp("property"), MODULES, terraform_binary(), mirror_config())


@settings(settings.get_profile(PROFILE))
@given(case=CASE)
def test_the_apply_does_what_drift_says(harness: Harness, case: dict[str, Any]) -> None:
    harness.run(case)


def _saved() -> list[Path]:
    return sorted(CASES.glob("*.json"))


@pytest.mark.parametrize("path", _saved(), ids=lambda p: p.stem)
def test_saved_case(harness: Harness, path: Path) -> None:
    harness.run(json.loads(path.read_text("utf-8")))
