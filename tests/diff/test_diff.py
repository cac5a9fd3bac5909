"""`govkit diff`: the access change between two revisions, per environment, in plain words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.diff.support import commit, git, identities_file, repository
from tests.edit.support import AS_OF

RISK = ["--principal", "risk-analysts", "--env", "prod", "--reason", "RISK-7 capital"]


def _request(*args: str) -> None:
    # a grant across domains in prod expires (GOV212)
    until = [] if {"--expires", "--for"} & set(args) else ["--expires", "2027-01-31"]
    assert main(["request", "catalogs", *RISK, *args, *until, *AS_OF]) == 0


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    code = main(["diff", "catalogs", *args, "--format", "json", *AS_OF])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(repository(tmp_path))
    return tmp_path


def test_no_change_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 0
    assert "no access change between main and work tree" in capsys.readouterr().out


def test_a_request_shows_exactly_its_grant_and_who_reads_through_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _request("--on", "finance", "--privileges", "USE_CATALOG")
    _request("--on", "finance.reporting", "--privileges", "USE_SCHEMA,SELECT")
    code, doc = _diff(capsys, "--base", "main")
    assert code == 2
    [prod] = [e for e in doc["environments"] if e["grants"] or e["access"]]  # type: ignore[union-attr]
    assert prod["environment"] == "prod"
    assert prod["grants"] == [
        {
            "securable_type": "catalog",
            "securable": "finance_prod",
            "principal": "risk-analysts",
            "added": ["USE_CATALOG"],
            "removed": [],
            "terms": [{"expires": "2027-01-31", "reason": "RISK-7 capital"}],
        },
        {
            "securable_type": "schema",
            "securable": "finance_prod.reporting",
            "principal": "risk-analysts",
            "added": ["SELECT", "USE_SCHEMA"],
            "removed": [],
            "terms": [{"expires": "2027-01-31", "reason": "RISK-7 capital"}],
        },
    ]
    # a schema-level SELECT reads as every table in it
    assert prod["access"] == [
        {
            "principal": "risk-analysts",
            "kind": "group",
            "access": "read",
            "lost": [],
            "gained": [
                "finance_prod.reporting",
                "finance_prod.reporting.opex",
                "finance_prod.reporting.revenue",
            ],
        },
    ]
    assert doc["changed_files"] == ["domains/finance.yaml"]


def test_each_new_grant_shows_its_expiry_and_reason_in_words(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _request("--on", "finance", "--privileges", "USE_CATALOG", "--expires", "2027-01-31")
    capsys.readouterr()
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 2
    out = capsys.readouterr().out
    # USE_CATALOG alone reads nothing: no effective access to count (was "principals ;")
    assert out.startswith("govkit diff main..work tree: prod: 1 grant change\n")
    assert (
        "+ risk-analysts gains USE_CATALOG on catalog finance_prod "
        "(until 2027-01-31; reason: RISK-7 capital)"
    ) in out
    assert main(["diff", "catalogs", "--base", "main", "--format", "markdown", *AS_OF]) == 2
    assert "(until 2027-01-31; reason: RISK-7 capital)" in capsys.readouterr().out
    _request(
        "--on", "finance.reporting", "--privileges", "USE_SCHEMA,SELECT", "--expires", "2027-01-31"
    )
    capsys.readouterr()
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 2
    assert "prod: 2 grant changes, 1 principal gains read access\n" in capsys.readouterr().out


def test_with_identities_the_change_is_in_people(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _request("--on", "finance", "--privileges", "USE_CATALOG")
    _request("--on", "finance.reporting", "--privileges", "USE_SCHEMA,SELECT")
    ids = identities_file(repo.parent)
    capsys.readouterr()
    assert main(["diff", "catalogs", "--base", "main", "--identities", str(ids), *AS_OF]) == 2
    out = capsys.readouterr().out
    assert "prod: effective access (people)" in out
    assert "+ ana@meridian.example can now read 3 securables: finance_prod.reporting," in out
    assert "+ ian@meridian.example can now read 3 securables" in out


def test_a_revision_without_the_spec_reads_as_empty(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rq", "--cached", ".")
    git(repo, "commit", "-q", "--allow-empty", "-m", "nothing")
    git(repo, "checkout", "-q", "-f", "main")
    code, doc = _diff(capsys, "--base", "empty")
    assert code == 2
    grants = [g for e in doc["environments"] for g in e["grants"]]  # type: ignore[union-attr]
    assert grants and all(not g["removed"] for g in grants)


def test_findings_introduced_and_fixed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _request("--on", "finance", "--privileges", "USE_CATALOG", "--for", "7d")
    code, doc = _diff(capsys, "--base", "main")
    assert code == 2
    [introduced] = doc["findings"]["introduced"]  # type: ignore[index]
    assert "GOV209 warning: grant to risk-analysts expires on 2026-12-03, in 7 days" in introduced
    commit(repo, "a short grant")
    assert (
        main(
            [
                "revoke",
                "catalogs",
                "--principal",
                "risk-analysts",
                "--on",
                "finance",
                "--env",
                "prod",
                *AS_OF,
            ]
        )
        == 0
    )
    code, doc = _diff(capsys, "--base", "main")
    assert doc["findings"]["fixed"] and not doc["findings"]["introduced"]  # type: ignore[index]


def test_live_grants_an_apply_would_revoke(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["show", "catalogs", "--env", "prod", "--format", "json", *AS_OF]) == 0
    live = json.loads(capsys.readouterr().out)
    for securable in live["securables"]:
        if securable["name"] == "finance_prod.reporting":
            securable["grants"]["contractors"] = ["SELECT"]
    live.update(source="file", taken_at="2026-11-26T02:00:00Z")
    (repo.parent / "live.json").write_text(json.dumps(live))
    _request("--on", "finance", "--privileges", "USE_CATALOG")
    capsys.readouterr()
    args = ["--base", "main", "--live", str(repo.parent / "live.json")]
    assert main(["diff", "catalogs", *args, *AS_OF]) == 2
    out = capsys.readouterr().out
    assert "live grants an authoritative apply would revoke" in out
    assert (
        "- prod: contractors loses SELECT on schema finance_prod.reporting (unexpected grant)"
        in out
    )


def test_an_unknown_revision_is_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "catalogs", "--base", "no-such-ref", *AS_OF]) == 1
    err = capsys.readouterr().err
    # as `govkit affected` says it, not git's raw `rev-parse ... exited 1`
    assert err == (
        f"Error: revision 'no-such-ref' does not exist in {repo.name}; name a branch, tag or "
        "commit (a shallow clone may need `git fetch` first)\n"
    )


def test_a_destructive_change_in_prod_is_refused_unless_a_reason_is_given(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A limit this estate's finance share (about a fifth of prod's grants) is surely over.
    org = repo / "catalogs" / "govkit.yaml"
    org.write_text(org.read_text("utf-8") + "mass_revoke_percent: 15\n", "utf-8")
    commit(repo, "a stricter mass-revoke limit")
    (repo / "catalogs" / "domains" / "finance.yaml").unlink()
    capsys.readouterr()
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 1
    out = capsys.readouterr()
    assert "catalog finance_prod" in out.out  # the diff itself is still shown
    assert "prod: catalog finance_prod would be removed [guard.catalog-removed]" in out.err
    # dev is not protected: losing finance_dev there is an ordinary change.
    assert "dev: catalog finance_dev" not in out.err
    # Only finance's file changed, but the share is of the whole environment's grants.
    [(revoked, total)] = re.findall(r"prod: (\d+) of (\d+) grants", out.err)
    assert int(total) > int(revoked) > 0
    reason = "FIN-9 finance moves to its own metastore"
    assert main(["diff", "catalogs", "--base", "main", "--allow-destructive", reason, *AS_OF]) == 2
    assert reason in capsys.readouterr().err


def test_a_change_that_adds_a_grant_that_does_nothing_fails_the_check(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # By hand, not through `govkit request` (which grants the path): SELECT with no USE_CATALOG.
    finance = repo / "catalogs" / "domains" / "finance.yaml"
    text = finance.read_text()
    useless = (
        "      - {principal: risk-analysts, privileges: [USE_SCHEMA, SELECT], "
        "environments: [prod], expires: 2027-01-31, reason: RISK-7}\n"
    )
    finance.write_text(
        text.replace(
            "      - {principal: execs, privileges: [USE_SCHEMA]}\n",
            "      - {principal: execs, privileges: [USE_SCHEMA]}\n" + useless,
        )
    )
    # validate warns (an ineffective grant already on main must not block every change) ...
    assert main(["validate", "catalogs", *AS_OF]) == 0
    assert "GOV207 warning: this grant does nothing for risk-analysts" in capsys.readouterr().out
    # ... and the pull-request check refuses the change that adds one
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 1
    err = capsys.readouterr().err
    assert "GOV207 warning: this grant does nothing for risk-analysts" in err
    assert "govkit diff: the work tree adds 1 grant(s) that do nothing (GOV207)" in err
    commit(repo, "the useless grant merged")
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 0  # not added by this change


def test_a_renewal_shows_the_old_and_new_terms(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The access stays, so before this the renewal read as "no access change", exit 0.
    renew = ["--principal", "marketing-analysts", "--on", "finance.reporting", "--env", "prod"]
    renew += ["--privileges", "SELECT,USE_SCHEMA", "--expires", "2027-09-30", "--reason", "FIN-9"]
    assert main(["request", "catalogs", *renew, *AS_OF]) == 0
    capsys.readouterr()
    assert main(["diff", "catalogs", "--base", "main", *AS_OF]) == 2
    out = capsys.readouterr().out
    assert out.startswith("govkit diff main..work tree: prod: 2 grants renewed\n")
    assert (
        "~ marketing-analysts keeps SELECT, USE_SCHEMA on schema finance_prod.reporting: "
        "until 2027-03-31; reason: FIN-1234 campaign attribution needs revenue by channel -> "
        "until 2027-09-30; reason: FIN-9"
    ) in out
