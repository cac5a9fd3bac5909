"""`govkit request` and `govkit revoke`: validated in-place edits; refusals change nothing."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.edit.support import AS_OF, copy_catalogs, refused, snapshot

REPORTING = [
    "--principal",
    "risk-analysts",
    "--on",
    "finance.reporting",
    "--env",
    "prod",
    "--privileges",
    "USE_SCHEMA,SELECT",
    "--reason",
    "RISK-7 capital planning",
    "--expires",
    "2027-01-31",
]


def test_request_adds_one_entry_and_keeps_everything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    finance = spec / "domains" / "finance.yaml"
    before = finance.read_text()
    assert main(["request", str(spec), *REPORTING, *AS_OF]) == 0
    out = capsys.readouterr().out
    after = finance.read_text()
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        # risk-analysts hold nothing on finance_prod: the path comes with the grant
        "+  - {principal: risk-analysts, privileges: [USE_CATALOG], environments: [prod], "
        "expires: 2027-01-31, reason: RISK-7 capital planning}",
        "+      - principal: risk-analysts",
        "+        privileges: [SELECT, USE_SCHEMA]",
        "+        environments: [prod]",
        "+        expires: 2027-01-31",
        "+        reason: RISK-7 capital planning",
    ]
    assert f"+++ b/{str(finance).lstrip('/')}" in out
    assert "+      - principal: risk-analysts" in out
    assert (
        "prod: risk-analysts gains SELECT, USE_SCHEMA on schema finance_prod.reporting, "
        "until 2027-01-31\n  with the path to it: USE_CATALOG on finance_prod\n" in out
    )
    assert main(["validate", str(spec), *AS_OF]) == 0
    assert "GOV207" not in capsys.readouterr().out


def test_request_twice_is_a_no_op(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = copy_catalogs(tmp_path)
    assert main(["request", str(spec), *REPORTING, *AS_OF]) == 0
    once = snapshot(spec)
    capsys.readouterr()
    assert main(["request", str(spec), *REPORTING, *AS_OF]) == 0
    assert snapshot(spec) == once
    assert "already granted (by its grant on finance_prod.reporting)" in capsys.readouterr().out


def test_access_inherited_from_the_schema_is_already_granted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    before = snapshot(spec)
    # marketing-analysts holds SELECT on finance_prod.reporting until 2027-03-31
    args = [
        "--principal",
        "marketing-analysts",
        "--on",
        "finance_prod.reporting.revenue",
        "--env",
        "prod",
        "--privileges",
        "SELECT",
        "--reason",
        "FIN-1234",
    ]
    assert main(["request", str(spec), *args, "--for", "30d", *AS_OF]) == 0
    assert snapshot(spec) == before
    assert "already granted" in capsys.readouterr().out
    # ... but not for longer: a later expiry outlasts the one it has
    assert main(["request", str(spec), *args, "--expires", "2027-06-30", *AS_OF]) == 0
    assert snapshot(spec) != before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--principal", "risk-analystz"],
            "GOV020 error: unknown principal 'risk-analystz', in what the edit would write here "
            "(hint: did you mean 'risk-analysts'?)",
        ),
        (["--on", "finance.reportin"], "no schema 'reportin' in domain finance"),
        (["--on", "finanse"], "no domain or catalog named 'finanse' (hint: did you mean"),
        (["--on", "finance_dev.reporting"], "catalog finance_dev is in environment dev, not prod"),
        (["--env", "prd"], "unknown environment 'prd' (hint: did you mean 'prod'?)"),
        (["--privileges", "SELEKT"], "GOV02"),
        (["--privileges", "ALL"], "ALL"),
        (["--expires", "2026-11-01"], "expiry 2026-11-01 is in the past"),
        (["--access", "raed", "--privileges", None], "no access level 'raed' (hint: did you mean"),
        (
            ["--privileges", "MODIFY", "--principal", "finance-engineers"],
            "GOV201 error: finance-engineers is a group of people and may not hold MODIFY in "
            "protected environment prod",
        ),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str | None], message: str
) -> None:
    spec = copy_catalogs(tmp_path)
    options: dict[str, str | None] = dict(zip(REPORTING[::2], REPORTING[1::2], strict=True))
    options.update(dict(zip(args[::2], args[1::2], strict=True)))  # type: ignore[arg-type]
    flat = [x for key, value in options.items() if value is not None for x in (key, value)]
    assert message in refused(capsys, spec, "request", str(spec), *flat)


def test_policy_refusal_points_at_the_new_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = ["--principal", "finance-engineers", "--on", "finance", "--env", "prod"]
    err = refused(capsys, spec, "request", str(spec), *args, "--access", "write", "--reason", "x")
    # the entry would have been appended to the catalog's grants, where `schemas:` is now
    finance = (spec / "domains" / "finance.yaml").read_text().splitlines()
    assert f"{spec}/domains/finance.yaml:{finance.index('schemas:') + 1}:" in err
    assert "every file is unchanged" in err


def test_flow_style_schema_becomes_block_style_when_it_gets_grants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = [
        "--principal",
        "risk-analysts",
        "--on",
        "finance.raw",
        "--env",
        "prod",
        "--access",
        "read",
        "--reason",
        "ingest checks",
        "--expires",
        "2027-01-31",
    ]
    assert main(["request", str(spec), *args, *AS_OF]) == 0
    text = (spec / "domains" / "finance.yaml").read_text()
    assert text.endswith(
        "  raw:\n"
        "    comment: Landing zone for ERP extracts; engineers and pipelines only\n"
        "    grants:\n"
        "      - principal: risk-analysts\n"
        "        access: read\n"
        "        environments: [prod]\n"
        "        expires: 2027-01-31\n"
        "        reason: ingest checks\n"
    )


def test_revoke_undoes_a_request_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    before = snapshot(spec)
    assert main(["request", str(spec), *REPORTING, *AS_OF]) == 0
    revoke = ["--principal", "risk-analysts", "--on", "finance.reporting", "--env", "prod"]
    assert main(["revoke", str(spec), *revoke, *AS_OF]) == 0
    assert "prod: risk-analysts loses SELECT, USE_SCHEMA on schema finance_prod.reporting" in (
        capsys.readouterr().out
    )
    # the path the request granted with it goes by itself
    path = ["--principal", "risk-analysts", "--on", "finance", "--env", "prod"]
    assert main(["revoke", str(spec), *path, *AS_OF]) == 0
    assert snapshot(spec) == before
    capsys.readouterr()
    assert main(["revoke", str(spec), *revoke, *AS_OF]) == 0
    assert "holds nothing on" in capsys.readouterr().out
    assert snapshot(spec) == before


def test_revoke_in_one_environment_narrows_a_grant_of_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = ["--principal", "data-stewards", "--on", "finance", "--env", "staging"]
    assert main(["revoke", str(spec), *args, *AS_OF]) == 0
    text = (spec / "domains" / "finance.yaml").read_text()
    assert "  - {principal: data-stewards, access: browse, environments: [dev, prod]}\n" in text


def test_revoke_of_an_inherited_privilege_says_where_it_comes_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = ["--principal", "finance-analysts", "--on", "finance.reporting", "--env", "prod"]
    err = refused(capsys, spec, "revoke", str(spec), *args, "--privileges", "SELECT")
    assert (
        "finance-analysts still holds SELECT on finance_prod.reporting in prod through its "
        "grant on finance_prod (hint: revoke it there: --on finance_prod)" in err
    )


def test_the_file_keeps_its_mode(tmp_path: Path) -> None:
    spec = copy_catalogs(tmp_path)
    finance = spec / "domains" / "finance.yaml"
    os.chmod(finance, 0o640)
    assert main(["request", str(spec), *REPORTING, *AS_OF]) == 0
    assert finance.stat().st_mode & 0o777 == 0o640
    assert not [p for p in finance.parent.iterdir() if p.name.startswith(".")]


def test_revoking_part_of_a_grant_in_one_environment_splits_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = ["--principal", "finance-analysts", "--on", "finance", "--env", "prod"]
    assert main(["revoke", str(spec), *args, "--privileges", "SELECT", *AS_OF]) == 0
    text = (spec / "domains" / "finance.yaml").read_text()
    assert (
        "  - {principal: finance-analysts, access: read, environments: [dev, staging]}\n"
        "  - {principal: finance-analysts, privileges: [BROWSE, EXECUTE, READ_VOLUME, "
        "USE_CATALOG, USE_SCHEMA], environments: [prod]}\n" in text
    )
    assert "prod: finance-analysts loses SELECT on catalog finance_prod" in capsys.readouterr().out
    assert main(["validate", str(spec), *AS_OF]) == 0


def test_the_access_added_is_named_in_people_with_identities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.diff.support import identities_file

    spec = copy_catalogs(tmp_path)
    ids = identities_file(tmp_path)
    assert main(["request", str(spec), *REPORTING, "--identities", str(ids), *AS_OF]) == 0
    out = capsys.readouterr().out
    assert "  that is 2 people: ana@meridian.example, ian@meridian.example\n" in out


def test_a_request_grants_the_whole_path_it_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, SELECT alone was written with a GOV207 warning and exit 0: a grant that does
    # nothing passed CI.
    spec = copy_catalogs(tmp_path)
    table = ["--on", "marketing.campaigns.touchpoints", "--access", "read"]
    argv = ["--principal", "risk-analysts", "--env", "prod", "--reason", "X-1", "--for", "30d"]
    argv += table
    assert main(["request", str(spec), *argv, *AS_OF]) == 0
    out, err = capsys.readouterr()
    assert "prod: risk-analysts gains SELECT on table marketing_prod.campaigns.touchpoints" in out
    assert (
        "  with the path to it: USE_CATALOG on marketing_prod, "
        "USE_SCHEMA on marketing_prod.campaigns\n"
    ) in out
    assert "GOV207" not in err
    assert main(["validate", str(spec), *AS_OF]) == 0
    assert "GOV207" not in capsys.readouterr().out


def test_a_group_the_principal_belongs_to_can_hold_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govkit.identity.document import Group, dumps, make_identities

    spec = copy_catalogs(tmp_path)
    ids = tmp_path / "identities.json"
    # marketing-analysts hold `access: read` on the marketing catalog in every environment
    doc = make_identities(
        "file", groups=[Group("marketing-analysts", members=("group:risk-analysts",))]
    )
    ids.write_text(dumps(doc))
    table = ["--on", "marketing.campaigns.touchpoints", "--access", "read"]
    argv = ["--principal", "risk-analysts", "--env", "prod", "--reason", "X-1", "--for", "30d"]
    argv += table
    assert main(["request", str(spec), *argv, "--identities", str(ids), *AS_OF]) == 0
    out = capsys.readouterr().out
    assert "with the path to it" not in out
    assert out.count("+          - principal: risk-analysts") == 1


def test_a_principal_yaml_1_1_would_read_as_a_boolean_is_written_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    principals = spec / "principals.yaml"
    declared = '  "on":\n    entra_object_id: 0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a\n'
    principals.write_text(
        principals.read_text().replace("  risk-analysts:\n", declared + "  risk-analysts:\n")
    )
    args = ["request", str(spec), *REPORTING, *AS_OF]
    args[args.index("risk-analysts")] = "on"
    assert main(args) == 0, capsys.readouterr().err
    written = (spec / "domains" / "finance.yaml").read_text()
    assert "principal: 'on'" in written  # unquoted, the spec loader would read `true`
    assert main(["validate", str(spec)]) == 0


def test_revoke_says_when_it_leaves_a_path_that_leads_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    # marketing-analysts read finance_prod.reporting through USE_CATALOG on the catalog
    args = ["--principal", "marketing-analysts", "--on", "finance", "--env", "prod"]
    assert main(["revoke", str(spec), *args, *AS_OF]) == 0
    err = capsys.readouterr().err
    assert "GOV207 warning: this grant does nothing for marketing-analysts" in err
    assert (
        "this leaves 1 grant(s) to marketing-analysts below finance_prod that lead nowhere "
        "(GOV207): revoke them too, or keep the path\n"
    ) in err


def test_renewing_a_grant_updates_its_expiry_instead_of_adding_a_second_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    finance = spec / "domains" / "finance.yaml"
    before = finance.read_text()
    # marketing-analysts read finance_prod.reporting until 2027-03-31 (catalog and schema)
    renew = ["--principal", "marketing-analysts", "--on", "finance.reporting", "--env", "prod"]
    renew += [
        "--privileges",
        "SELECT,USE_SCHEMA",
        "--expires",
        "2027-09-30",
        "--reason",
        "FIN-1300",
    ]
    assert main(["request", str(spec), *renew, *AS_OF]) == 0
    out = capsys.readouterr().out
    assert "prod: marketing-analysts keeps (renewed) SELECT, USE_SCHEMA on schema" in out
    after = finance.read_text()
    assert after.count("principal: marketing-analysts") == before.count(
        "principal: marketing-analysts"
    )
    assert "2027-03-31" not in after and after.count("expires: 2027-09-30") == 2
    assert main(["validate", str(spec), *AS_OF]) == 0
    assert "GOV208" not in capsys.readouterr().out


def test_a_request_in_a_protected_environment_needs_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    args = ["--principal", "finance-analysts", "--on", "finance.ledger", "--access", "read"]
    err = refused(capsys, spec, "request", str(spec), *args, "--env", "prod", "--reason", " ")
    assert "a request in protected environment prod needs a reason" in err
    assert main(["request", str(spec), *args, "--env", "dev", "--reason", "", *AS_OF]) == 0


def test_a_refused_request_names_positions_in_the_file_on_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    marketing = spec / "domains" / "marketing.yaml"
    lines = marketing.read_text().splitlines()
    # no expiry on a grant across domains in prod (GOV212), for the grant and its path
    args = ["--principal", "risk-analysts", "--on", "marketing.campaigns.touchpoints"]
    args += ["--env", "prod", "--access", "read", "--reason", "X-1"]
    err = refused(capsys, spec, "request", str(spec), *args)
    found = re.findall(r"marketing\.yaml:(\d+):(\d+): GOV212 error: (.*?) \(hint", err)
    assert [(int(line), int(col)) for line, col, _ in found] == [(16, 1), (18, 5), (20, 7)]
    assert all(m.endswith(", in what the edit would write here") for _, _, m in found)
    assert lines[15] == "schemas:" and lines[17].strip() == "tables:"
    assert lines[19].lstrip().startswith("touchpoints:")


def test_a_useless_grant_already_in_the_file_does_not_refuse_another_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = copy_catalogs(tmp_path)
    finance = spec / "domains" / "finance.yaml"
    execs = "      - {principal: execs, privileges: [USE_SCHEMA]}\n"
    useless = (
        "      - {principal: risk-analysts, privileges: [USE_SCHEMA, SELECT], "
        "environments: [prod], expires: 2027-01-31, reason: RISK-7}\n"
    )
    finance.write_text(finance.read_text().replace(execs, execs + useless))
    args = ["--principal", "risk-analysts", "--on", "finance.ledger", "--env", "dev"]
    assert main(["request", str(spec), *args, "--access", "read", "--reason", "R-2", *AS_OF]) == 0
    err = capsys.readouterr().err
    assert "GOV207 warning: this grant does nothing for risk-analysts in environment prod" in err


def test_an_owner_already_has_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # finance-owners own the finance catalog and its schemas in dev (not protected)
    spec = copy_catalogs(tmp_path)
    args = ["--principal", "finance-owners", "--on", "finance.reporting.revenue", "--env", "dev"]
    assert (
        main(["request", str(spec), *args, "--privileges", "MODIFY", "--reason", "F-1", *AS_OF])
        == 0
    )
    out = capsys.readouterr().out
    assert "dev: finance-owners gains MODIFY on table finance_dev.reporting.revenue\n" in out
    assert "with the path to it" not in out
