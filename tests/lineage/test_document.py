"""The lineage document: canonical text, merging, schema, bad input."""

from __future__ import annotations

import json

import jsonschema
import pytest

from govkit.lineage.document import (
    Edge,
    LineageFormatError,
    dumps,
    json_schema,
    loads,
    make_lineage,
)
from govkit.lineage.schema import schema_text
from tests.conftest import ROOT

DOC = make_lineage(
    "warehouse",
    [
        Edge("finance_prod.reporting.revenue", "marketing_prod.campaigns.attribution", None, 2),
        Edge(
            "finance_dev.raw.ledger", "finance_prod.reporting.revenue", "2026-11-20T09:12:00Z", 14
        ),
        Edge("finance_dev.raw.ledger", "finance_prod.reporting.revenue", "2026-11-21T01:00:00Z", 1),
    ],
    taken_at="2026-11-26T02:00:00Z",
)


def test_edges_are_sorted_and_repeated_pairs_merged() -> None:
    assert [(e.source, e.target, e.last_seen, e.events) for e in DOC.edges] == [
        ("finance_dev.raw.ledger", "finance_prod.reporting.revenue", "2026-11-21T01:00:00Z", 15),
        ("finance_prod.reporting.revenue", "marketing_prod.campaigns.attribution", None, 2),
    ]


def test_text_is_canonical_reads_back_and_validates() -> None:
    text = dumps(DOC)
    assert loads(text) == DOC
    raw = json.loads(text)
    jsonschema.validate(raw, json_schema())
    raw["edges"].reverse()
    assert dumps(loads(json.dumps(raw))) == text
    # one edge a line: a million edges stay readable and small
    assert [line.strip()[:11] for line in text.splitlines()[7:9]] == ['{"source": '] * 2


def test_published_schema_is_fresh() -> None:
    published = (ROOT / "docs" / "schemas" / "lineage.json").read_text(encoding="utf-8")
    assert published == schema_text(), "run: python -m govkit.audit.schema"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[", "not JSON at line 1"),
        ('{"format": "govkit.state/v1"}', "not a lineage document"),
        (
            '{"format": "govkit.lineage/v1", "source": "file", "edges": [{"source": "a.b.c"}]}',
            "invalid lineage document at edges.0.target",
        ),
        (
            '{"format": "govkit.lineage/v1", "source": "file", '
            '"edges": [{"source": "a.b.c", "target": "a.b"}]}',
            "edges.0.target: 'a.b' is not a full three-part name",
        ),
        (
            '{"format": "govkit.lineage/v1", "source": "file", '
            '"edges": [{"source": "a.b.c", "target": "a.b.d", "events": "7"}]}',
            "invalid lineage document at edges.0.events",
        ),
    ],
)
def test_bad_input_names_where(text: str, message: str) -> None:
    with pytest.raises(LineageFormatError, match=message.replace(".", r"\.")):
        loads(text)
