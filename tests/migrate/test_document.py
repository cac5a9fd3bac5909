"""The Hive assessment document: canonical, loaded with clear errors, its schema published."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from govkit.migrate.document import (
    HiveDatabase,
    HiveError,
    HiveFormatError,
    HiveGrant,
    HiveTable,
    HiveWorkspace,
    WorkspaceGroup,
    dumps,
    json_schema,
    loads,
    make_assessment,
)
from govkit.migrate.schema import PUBLISHED

ROOT = Path(__file__).resolve().parents[2]


def _doc() -> str:
    ws = HiveWorkspace(
        7,
        databases=(
            HiveDatabase("sales", tables=(HiveTable("v", "VIEW", view_text="SELECT 1"),)),
            HiveDatabase("ops", tables=(HiveTable("t", "MANAGED", "DELTA", "dbfs:/x"),)),
        ),
        grants=(HiveGrant("team", "SELECT", "DATABASE", "sales"),),
        groups=(WorkspaceGroup("team", ("user:b@x.example", "user:a@x.example")),),
    )
    return dumps(make_assessment("file", [ws], legacy_access=["dev.legacy.json"]))


def test_a_document_is_sorted_and_round_trips_byte_for_byte() -> None:
    text = _doc()
    raw = json.loads(text)
    assert [d["name"] for d in raw["workspaces"][0]["databases"]] == ["ops", "sales"]
    assert raw["workspaces"][0]["groups"][0]["members"] == ["user:a@x.example", "user:b@x.example"]
    assert dumps(loads(text)) == text
    jsonschema.validate(raw, json_schema())


def test_an_error_makes_the_document_incomplete() -> None:
    doc = make_assessment("workspace", [], errors=[HiveError(3, "SHOW GRANTS: 403")])
    assert json.loads(dumps(doc))["complete"] is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON at line 1 column 2"),
        ('{"format": "govkit.legacy-access/v1"}', 'expected "format": "govkit.hive/v1"'),
        ('{"format": "govkit.hive/v1", "source": "file", "workspaces": [{"workspace_id": 1, '
         '"databases": [{"name": "a", "tables": [{"name": "t", "type": "TEMP"}]}]}]}',
         "workspaces.0.databases.0.tables.0.type"),
        ('{"format": "govkit.hive/v1", "source": "file", "workspaces": [{"workspace_id": 1}, '
         '{"workspace_id": 1}]}', "workspace 1 appears twice"),
        ('{"format": "govkit.hive/v1", "source": "file", "workspaces": [{"workspace_id": 1, '
         '"databases": [{"name": "a", "tables": [{"name": "v", "type": "VIEW"}]}]}]}',
         "tables.0.view_text: a view, and only a view"),
        ('{"format": "govkit.hive/v1", "source": "file", "workspaces": [{"workspace_id": 1, '
         '"databases": [{"name": "a", "tables": [{"name": "t", "type": "EXTERNAL"}]}]}]}',
         "tables.0.format: the external table needs its format"),
    ],
)  # fmt: skip
def test_bad_input_names_where(text: str, message: str) -> None:
    with pytest.raises(HiveFormatError, match=message):
        loads(text)


def test_published_schema_is_fresh(capsys: pytest.CaptureFixture[str]) -> None:
    from govkit.cli.main import main
    from govkit.lineage.schema import schema_text

    assert (ROOT / PUBLISHED).read_text(encoding="utf-8") == schema_text(json_schema())
    assert main(["schema", "hive"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()
