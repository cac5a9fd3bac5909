"""`govkit drift` from a State file: exit codes, formats, bad input, explanations, remediation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.pipeline import validate
from govkit.privileges import SecurableType
from govkit.state import Storage, dumps, loads, make_securable, make_state
from tests.conftest import CATALOGS, TODAY

ARGS = [str(CATALOGS), "--env", "prod", "--as-of", TODAY.isoformat()]


def _desired_prod() -> str:
    validated = validate(str(CATALOGS), TODAY)
    (prod,) = [e for e in validated.environments if e.name == "prod"]
    return dumps(prod.state)


def _live(tmp_path: Path, text: str, name: str = "live.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _drifted(tmp_path: Path) -> str:
    """The applied estate, then a grant out of band and an owner changed."""
    state = loads(_desired_prod())
    securables = []
    for s in state.securables:
        if s.name == "finance_prod":
            grants = {**s.grants, "contractors": ("SELECT",), "metastore-admins": ("MANAGE",)}
            s = make_securable(
                s.type, s.name, "alice@example.com", grants, s.isolation_mode, s.workspace_ids,
                Storage.of(s),
            )  # fmt: skip
        if s.name == "marketing_prod":  # additive: the apply leaves undeclared principals alone
            grants = {**s.grants, "metastore-admins": ("MANAGE",)}
            s = make_securable(
                s.type, s.name, s.owner, grants, s.isolation_mode, s.workspace_ids, Storage.of(s)
            )
        securables.append(s)
    live = make_state("workspace", securables, environment="prod", taken_at="2026-11-26T02:00:00Z")
    return _live(tmp_path, dumps(live))


def test_clean_when_live_matches_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["drift", *ARGS, "--source", _live(tmp_path, _desired_prod())])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("No drift in prod:")


def test_drift_shows_exactly_the_out_of_band_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["drift", *ARGS, "--source", _drifted(tmp_path), "--format", "json"])
    assert code == 2
    doc = json.loads(capsys.readouterr().out)
    assert [(c["kind"], c["securable"], c["principal"]) for c in doc["changes"]] == [
        ("owner_mismatch", "finance_prod", None),
        ("unexpected_grant", "finance_prod", "contractors"),
        ("unexpected_grant", "finance_prod", "metastore-admins"),
    ]
    # The organisation file ignores metastore-admins: counted, not reported, where the apply
    # leaves it alone (additive marketing_prod); finance_prod is authoritative, and its
    # databricks_grants revokes the grant all the same.
    assert doc["ignored"]["changes"] == {"metastore-admins": 1}
    assert doc["changes"][2]["consequence"] == (
        "the next apply revokes it (drift.ignore_principals spares no grant the apply sets)"
    )
    assert doc["names"]["6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"] == "sp-uc-deploy-prod"
    assert doc["live"] == {"source": "workspace", "taken_at": "2026-11-26T02:00:00Z"}


def test_an_unmanaged_securable_is_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = loads(_desired_prod())
    stray = make_securable(SecurableType.SCHEMA, "finance_prod.scratch", "bob@example.com", {})
    live = make_state("workspace", [*state.securables, stray], environment="prod")
    assert main(["drift", *ARGS, "--source", _live(tmp_path, dumps(live))]) == 2
    lines = capsys.readouterr().out.splitlines()
    said = (
        "  ! unmanaged_securable: live with owner bob@example.com, not declared; "
        "unmanaged, left alone"
    )
    assert said in lines
    for line in lines:
        parts = [p.strip() for p in line.split(";")]
        assert len(parts) == len(set(parts)), line


def test_output_is_byte_identical_across_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = _drifted(tmp_path)
    outputs = []
    for _ in range(2):
        main(["drift", *ARGS, "--source", live, "--format", "markdown"])
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_audit_file_explains_who_changed_what(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {
        "event_time": "2026-11-25T10:00:00Z",
        "user_identity": {"email": "mallory@example.com"},
        "action_name": "updatePermissions",
        "request_params": {
            "securable_full_name": "finance_prod",
            "changes": json.dumps([{"principal": "contractors", "add": ["SELECT"]}]),
        },
    }
    audit = _live(tmp_path, json.dumps(row) + "\n", "audit.jsonl")
    code = main(["drift", *ARGS, "--source", _drifted(tmp_path), "--audit", audit])
    assert code == 2
    out = capsys.readouterr().out
    assert "changed by mallory@example.com at 2026-11-25T10:00:00Z (updatePermissions)" in out


def test_emit_sql_to_a_file_keeps_the_report_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql_file = tmp_path / "fix.sql"
    code = main(
        [
            "drift",
            *ARGS,
            "--source",
            _drifted(tmp_path),
            "--emit",
            "sql",
            "--emit-file",
            str(sql_file),
        ]
    )
    assert code == 2
    assert capsys.readouterr().out.splitlines()[-1].startswith("Drift in prod:")
    sql = sql_file.read_text(encoding="utf-8")
    assert "REVOKE SELECT ON CATALOG `finance_prod` FROM `contractors`;" in sql
    assert "ALTER CATALOG `finance_prod` OWNER TO `6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d`;" in sql


def test_emit_yaml_points_at_the_declaring_spec_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["drift", *ARGS, "--source", _drifted(tmp_path), "--emit", "yaml"]) == 2
    out = capsys.readouterr().out
    assert "finance.yaml" in out and "principal: contractors" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", 'not a State document (expected "format": "govkit.state/v1")'),
        ("not json", "not JSON"),
    ],
)
def test_a_file_that_is_not_a_state_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert main(["drift", *ARGS, "--source", _live(tmp_path, text)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_state_of_another_environment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _desired_prod().replace('"environment": "prod"', '"environment": "staging"')
    assert main(["drift", *ARGS, "--source", _live(tmp_path, other)]) == 1
    assert "live state is of environment 'staging', not 'prod'" in capsys.readouterr().err


def test_an_incomplete_read_exits_1_and_lists_what_was_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(_desired_prod())
    doc["complete"] = False
    doc["errors"] = [{"securable": "risk_prod", "message": "HTTP 503 after 5 retries"}]
    assert main(["drift", *ARGS, "--source", _live(tmp_path, json.dumps(doc))]) == 1
    err = capsys.readouterr().err
    assert "incomplete" in err and "risk_prod: HTTP 503 after 5 retries" in err


def test_complete_false_without_errors_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(_desired_prod())
    doc["complete"] = False
    assert main(["drift", *ARGS, "--source", _live(tmp_path, json.dumps(doc))]) == 1
    assert "incomplete" in capsys.readouterr().err


def test_an_unknown_environment_lists_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = _live(tmp_path, _desired_prod())
    assert main(["drift", str(CATALOGS), "--env", "qa", "--source", live]) == 1
    assert "known: dev, staging, prod" in capsys.readouterr().err


def test_a_file_source_never_imports_the_databricks_sdk(tmp_path: Path) -> None:
    import subprocess
    import sys

    live = _live(tmp_path, _desired_prod())
    probe = (
        "import sys; from govkit.cli.main import main; "
        f"code = main(['drift', *{ARGS!r}, '--source', {live!r}]); "
        "print(code, 'databricks.sdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["0", "False"]


def test_the_warehouse_source_needs_a_warehouse_id(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABRICKS_WAREHOUSE_ID", raising=False)
    assert main(["drift", *ARGS, "--source", "warehouse"]) == 1
    assert "--source warehouse needs --warehouse-id" in capsys.readouterr().err
