"""Every kind of broken spec gets one coded diagnostic at the right place, exit 1, no traceback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.cli.main import main

HERE = Path(__file__).parent
CASES: dict[str, dict[str, Any]] = yaml.safe_load((HERE / "bad_cases.yaml").read_text())

BASE = {
    "govkit.yaml": """\
version: 1
environments:
  dev: {workspaces: [1]}
  prod: {workspaces: [2], protected: true, deployer: sp-deploy-prod}
""",
    "principals.yaml": """\
groups:
  sales-owners: {}
  sales-analysts: {}
service_principals:
  sp-deploy-prod: {application_id: 11111111-2222-4333-8444-555555555555, environments: [prod]}
""",
    "domains/sales.yaml": """\
domain: sales
owner: sales-owners
grants:
  - {principal: sales-analysts, access: read}
schemas:
  raw: {}
""",
}


def write_spec(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def run_validate(
    spec: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    code = main(["validate", str(spec), "--as-of", "2026-11-26", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_base_spec_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_spec(tmp_path, dict(BASE))
    code, out, err = run_validate(tmp_path, capsys)
    assert (code, out) == (0, ""), err


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_spec(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    files: dict[str, str | bytes] = dict(BASE) if case.get("base", True) else {}
    files.update(case["files"])
    write_spec(tmp_path, files)
    code, out, err = run_validate(tmp_path, capsys)
    expected_code, rel, line, col = case["expect"]
    where = str(tmp_path) if rel == "." else f"{tmp_path}/{rel}"
    prefix = f"{where}:{line}:{col}: " if line else f"{where}: "
    lines = out.splitlines()
    assert code == 1
    assert "Traceback" not in out + err
    assert len(lines) == 1, out
    assert lines[0].startswith(f"{prefix}{expected_code} error: "), lines[0]
    assert "hint: " in lines[0] and lines[0].endswith("]")


def test_non_utf8_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_spec(tmp_path, {**BASE, "domains/sales.yaml": b"domain: sales\nowner: caf\xe9\n"})
    code, out, _ = run_validate(tmp_path, capsys)
    assert code == 1
    assert out.startswith(f"{tmp_path}/domains/sales.yaml:2:11: GOV004 error: ")


def test_huge_file_is_refused_without_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = "domain: sales\nowner: sales-owners\n" + "# padding\n" * 2_000_000
    write_spec(tmp_path, {**BASE, "domains/sales.yaml": big})
    code, out, _ = run_validate(tmp_path, capsys)
    assert code == 1
    assert out.startswith(f"{tmp_path}/domains/sales.yaml:1:1: GOV006 error: file is 20.0 MB")


def test_all_errors_are_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files: dict[str, str | bytes] = dict(BASE)
    files["domains/a.yaml"] = "domain: a\nowner: nobody\n"
    files["domains/b.yaml"] = "domain: b\nowner: sales-owners\nenvironments: [qa]\n"
    files["domains/c.yaml"] = "domain: c\nowner: sales-owners\nschemas: {raw: {tabels: {}}}\n"
    write_spec(tmp_path, files)
    code, out, _ = run_validate(tmp_path, capsys)
    codes = [line.split(": ")[1].split()[0] for line in out.splitlines()]
    assert code == 1
    assert codes == ["GOV020", "GOV021", "GOV010"]


def test_unknown_key_hint_suggests_the_right_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path, {**BASE, "domains/sales.yaml": "domain: sales\nownr: sales-owners\n"})
    _, out, _ = run_validate(tmp_path, capsys)
    assert "unknown key 'ownr' (hint: did you mean 'owner'?)" in out


def test_legacy_privilege_hint_names_the_modern_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (
        "domain: sales\nowner: sales-owners\ngrants:\n"
        "  - {principal: sales-analysts, privileges: [ALL]}\n"
    )
    write_spec(tmp_path, {**BASE, "domains/sales.yaml": spec})
    _, out, _ = run_validate(tmp_path, capsys)
    assert "GOV023 error: legacy privilege 'ALL' is not accepted (hint: use ALL_PRIVILEGES" in out


def test_invalid_privilege_names_where_it_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (
        "domain: sales\nowner: sales-owners\nschemas:\n  raw:\n    grants:\n"
        "      - {principal: sales-analysts, privileges: [use catalog]}\n"
    )
    write_spec(tmp_path, {**BASE, "domains/sales.yaml": spec})
    _, out, _ = run_validate(tmp_path, capsys)
    expected = (
        "USE_CATALOG is not a privilege on a schema (hint: USE_CATALOG is granted on: catalog)"
    )
    assert expected in out


def test_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_validate(tmp_path / "nope", capsys)
    assert code == 1
    assert "GOV009 error: spec folder" in out


def test_an_unreadable_file_is_a_coded_diagnostic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path, dict(BASE))
    (tmp_path / "ghost.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "domains" / "folder.yaml").mkdir()  # not a file: walked as a folder, no error
    assert _the_one_error(tmp_path, capsys) == (
        f"{tmp_path}/ghost.yaml: GOV014 error: cannot read file: a symbolic link to "
        f"{tmp_path}/nowhere.yaml, which does not exist (hint: point the link at an existing "
        "file, or remove it) [spec.load]"
    )


def _the_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run_validate(tmp_path, capsys)
    assert code == 1
    assert "internal error" not in err and "Traceback" not in out + err
    (line,) = out.splitlines()
    return line


def test_one_broken_principal_does_not_void_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(BASE)
    files["principals.yaml"] = str(BASE["principals.yaml"]) + "  sp-broken: {description: no id}\n"
    files["domains/sales.yaml"] = str(BASE["domains/sales.yaml"]).replace(
        "grants:\n", "grants:\n  - {principal: sp-broken, access: read}\n"
    )
    write_spec(tmp_path, files)
    # The one entry is reported where it is declared; sales-owners and sales-analysts beside
    # it stay declared, and the grant to the broken entry is not reported again.
    assert _the_one_error(tmp_path, capsys) == (
        f"{tmp_path}/principals.yaml:6:14: GOV012 error: missing required key 'application_id' "
        "(hint: add `application_id:`) [spec.shape]"
    )


def test_an_undeclared_principal_says_where_to_declare_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(BASE)
    files["domains/sales.yaml"] = str(BASE["domains/sales.yaml"]).replace(
        "grants:\n",
        "grants:\n  - {principal: treasury-ops, access: read}\n"
        "  - {principal: sales-analyst, access: read}\n",
    )
    write_spec(tmp_path, files)
    _, out, _ = run_validate(tmp_path, capsys)
    lines = out.splitlines()
    assert "unknown principal 'treasury-ops' (hint: declare it in" in lines[0]
    assert f"(hint: declare it in {tmp_path}/principals.yaml: a group under `groups:`" in lines[0]
    assert "did you mean" not in lines[0]
    assert "(hint: did you mean 'sales-analysts'?)" in lines[1]


def test_a_named_pipe_is_a_coded_diagnostic_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Opening a FIFO waits for a writer: before, `govkit validate` never answered.
    write_spec(tmp_path, dict(BASE))
    os.mkfifo(tmp_path / "domains" / "pipe.yaml")
    assert _the_one_error(tmp_path, capsys) == (
        f"{tmp_path}/domains/pipe.yaml: GOV015 error: not a regular file: a named pipe (FIFO) "
        "(hint: a spec file is a regular YAML file: remove it or move it out of the spec folder) "
        "[spec.load]"
    )
    on = ["--on", "sales", "--env", "dev"]
    for argv in (
        ["request", str(tmp_path), "--principal", "sales-owners", "--access", "read", *on],
        ["revoke", str(tmp_path), "--principal", "sales-analysts", *on],
    ):
        assert main([*argv, *(["--reason", "R-1"] if argv[0] == "request" else [])]) == 1
        assert "pipe.yaml: not a regular file: a named pipe (FIFO)" in capsys.readouterr().err


def test_shape_and_reference_errors_are_reported_in_one_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, the undeclared principals appeared only once the shape errors were fixed.
    files = dict(BASE)
    files["domains/sales.yaml"] = """\
domain: sales
owner: sales-owners
grants:
  - {principal: sales-analysts, acess: read}
  - {principal: treasury-ops, access: read}
schemas:
  raw:
    commnt: landing
    grants:
      - {principal: sales-analyst, privileges: [SELECT], environments: [dev]}
"""
    write_spec(tmp_path, files)
    code, out, _ = run_validate(tmp_path, capsys)
    assert code == 1
    found = [line.split(" error: ")[0].rsplit("/", 1)[1] for line in out.splitlines()]
    assert found == [
        "sales.yaml:4:33: GOV010",  # the unknown key, whose entry is left out of the checks
        "sales.yaml:5:17: GOV020",  # still the second entry, though the first was left out
        "sales.yaml:8:5: GOV010",
        "sales.yaml:10:21: GOV020",
    ]
    assert "did you mean 'sales-analysts'?" in out.splitlines()[3]
