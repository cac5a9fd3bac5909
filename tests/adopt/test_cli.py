"""`govkit import` as a user runs it: files written, refusals, merge, Terraform import blocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from msgspec.structs import replace

from govkit.cli.main import main
from govkit.privileges import SecurableType as T
from govkit.resolve import resolve_environment
from govkit.state import ReadError, State, dumps, make_securable, make_state
from tests.adopt.support import TODAY, differences, load_back
from tests.compile.support import MODULES

SP = "6a1e0c3d-5b7f-4e2a-9c1d-0f3b2a4c6e8d"
READ = ["BROWSE", "EXECUTE", "READ_VOLUME", "SELECT", "USE_CATALOG", "USE_SCHEMA"]


def dev_state() -> State:
    return make_state(
        "workspace",
        [
            make_securable(
                T.CATALOG, "sales_dev", "sales-owners", {"analysts": READ}, "ISOLATED", [11, 12]
            ),
            make_securable(
                T.SCHEMA,
                "sales_dev.orders",
                "sales-owners",
                {"ada@example.com": ["SELECT", "USE_SCHEMA"]},
            ),
            make_securable(T.TABLE, "sales_dev.orders.lines", "left@example.com", {}),
            make_securable(T.SCHEMA, "sales_dev.scratch", "sales-owners", {"analysts": ["USAGE"]}),
        ],
        environment="dev",
        taken_at="2026-11-26T02:00:00Z",
    )


def prod_state() -> State:
    return make_state(
        "workspace",
        [
            make_securable(
                T.CATALOG,
                "sales_prod",
                SP,
                {"analysts": ["USE_CATALOG"], SP: ["MANAGE"]},
                "ISOLATED",
                [31],
            ),
            make_securable(
                T.SCHEMA, "sales_prod.orders", SP, {"analysts": ["SELECT", "USE_SCHEMA"]}
            ),
            make_securable(T.TABLE, "sales_prod.orders.lines", SP, {"auditors": ["SELECT"]}),
            make_securable(T.CATALOG, "web_prod", SP, {}, "ISOLATED", [31]),
        ],
        environment="prod",
        taken_at="2026-11-26T02:00:00Z",
    )


def _file(tmp_path: Path, state: State) -> Path:
    path = tmp_path / f"{state.environment}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(dumps(state), "utf-8")
    return path


def _import(source: Path, out: Path, env: str, *extra: str) -> int:
    return main(
        [
            "import",
            "--env",
            env,
            "--source",
            str(source),
            "--out",
            str(out),
            "--as-of",
            TODAY.isoformat(),
            *extra,
        ]
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_import_writes_a_spec_that_validates_and_says_where_things_came_from(tmp_path, capsys):
    out = tmp_path / "spec"
    assert _import(_file(tmp_path, dev_state()), out, "dev") == 0
    err = capsys.readouterr().err
    assert (
        "GOV702 warning: grants of analysts on sales_dev.scratch (USAGE) are left unmanaged" in err
    )
    domain = (out / "domains" / "sales.yaml").read_text("utf-8")
    assert domain.startswith("# Imported by govkit import from the State file dev-0.json")
    assert "# additive: some grants could not be declared" in domain
    assert "# left unmanaged: analysts holds USAGE" in domain
    assert '{rule: GOV205, reason: "imported: grant to individual user ada@example.com' in domain
    principals = (out / "principals.yaml").read_text("utf-8")
    assert "# user: an e-mail address" in principals and "left@example.com: " in principals
    assert main(["validate", str(out)]) == 0


def test_the_same_state_writes_byte_identical_files(tmp_path):
    source = _file(tmp_path, dev_state())
    assert _import(source, tmp_path / "a", "dev") == 0
    assert _import(source, tmp_path / "b", "dev") == 0
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_an_existing_spec_is_refused_unless_merge_or_force(tmp_path, capsys):
    out = tmp_path / "spec"
    source = _file(tmp_path, dev_state())
    assert _import(source, out, "dev") == 0
    before = _snapshot(out)
    capsys.readouterr()
    assert _import(source, out, "dev") == 1
    assert "already holds a spec (environments: dev); pass --merge" in capsys.readouterr().err
    assert _import(source, out, "dev", "--merge") == 1
    assert "already holds environment dev" in capsys.readouterr().err
    assert _snapshot(out) == before
    (out / "domains" / "stale.yaml").write_text("domain: stale\nowner: sales-owners\n", "utf-8")
    assert _import(source, out, "dev", "--force") == 0
    assert _snapshot(out) == before  # the stale domain file went with the old spec


def test_an_incomplete_state_is_refused_unless_allowed_and_then_marked(tmp_path, capsys):
    state = replace(dev_state(), complete=False, errors=(ReadError("sales_dev.orders", "503"),))
    source, out = _file(tmp_path, state), tmp_path / "spec"
    assert _import(source, out, "dev") == 1
    err = capsys.readouterr().err
    assert "the State is incomplete: 1 reads failed (first: sales_dev.orders: 503)" in err
    assert "--allow-incomplete" in err and not out.exists()
    assert _import(source, out, "dev", "--allow-incomplete") == 0
    for path in out.rglob("*.yaml"):
        assert path.read_text("utf-8").startswith("# INCOMPLETE: imported with --allow-incomplete")
    assert "authority: additive" in (out / "domains" / "sales.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"format": "other"}', "not a State document"),
        (None, "No such file"),
    ],
)
def test_a_bad_source_is_one_line_naming_it(tmp_path, capsys, content, message):
    source = tmp_path / "live.json"
    if content is not None:
        source.write_text(content, "utf-8")
    assert _import(source, tmp_path / "spec", "dev") == 1
    err = capsys.readouterr().err
    assert f"{source}: " in err and message in err and "Traceback" not in err
    assert not (tmp_path / "spec").exists()


def test_a_state_of_another_environment_is_refused(tmp_path, capsys):
    assert _import(_file(tmp_path, dev_state()), tmp_path / "spec", "prod") == 1
    assert "a State of environment 'dev', not 'prod'" in capsys.readouterr().err


def test_a_second_environment_merges_and_both_resolve_to_their_state(tmp_path, capsys):
    out = tmp_path / "spec"
    dev, prod = dev_state(), prod_state()
    assert _import(_file(tmp_path, dev), out, "dev") == 0
    comments_before = [
        line
        for line in (out / "domains" / "sales.yaml").read_text().splitlines()
        if line.lstrip().startswith("#")
    ]
    capsys.readouterr()
    assert _import(_file(tmp_path, prod), out, "prod", "--merge") == 0
    err = capsys.readouterr().err
    sales = (out / "domains" / "sales.yaml").read_text("utf-8")
    assert all(line in sales for line in comments_before)  # a round-trip edit keeps comments
    assert "environments: [dev, prod]" in sales
    assert "protected: true" in (out / "govkit.yaml").read_text("utf-8")
    assert (out / "domains" / "web.yaml").is_file()
    spec = load_back(out)
    reported = {line.split(": ")[0] for line in err.splitlines()}
    for state in (dev, prod):
        resolved = resolve_environment(spec, state.environment, TODAY).state
        left = differences(state, resolved)
        # A schema or table that exists in one environment only is reported by its name there.
        unexplained = {
            n for n in left if not any(r.split(".", 1)[-1] == n.split(".", 1)[-1] for r in reported)
        }
        assert not unexplained, left
    assert main(["validate", str(out)]) == 0


def test_terraform_import_blocks_only_for_what_exists(tmp_path):
    out, tf = tmp_path / "spec", tmp_path / "terraform"
    assert (
        _import(
            _file(tmp_path, dev_state()),
            out,
            "dev",
            "--terraform",
            str(tf),
            "--modules",
            str(MODULES),
        )
        == 0
    )
    stacks = json.loads((tf / "stacks.json").read_text())["stacks"]
    assert [s["id"] for s in stacks] == ["dev/sales"]
    blocks = json.loads((tf / "dev" / "sales" / "imports.tf.json").read_text())["import"]
    ids = {b["id"]: b["to"] for b in blocks}
    assert ids["sales_dev"] == "module.domain.databricks_catalog.this"
    assert ids["11|catalog|sales_dev"] == 'module.domain.databricks_workspace_binding.this["11"]'
    assert ids["sales_dev.scratch"] == 'module.domain.databricks_schema.this["scratch"]'
    # Additive (a grant was left unmanaged): one databricks_grant per declared principal.
    grant = "schema/sales_dev.orders/ada@example.com"
    assert ids[grant] == f'module.domain.module.grants.databricks_grant.this["{grant}"]'
    # The unmanaged USAGE grant and the table without grants get no block.
    assert not any("scratch/" in i or i.startswith("table/") for i in ids)


def test_a_merge_that_would_reformat_a_file_is_refused_and_writes_nothing(tmp_path, capsys):
    import yaml

    out = tmp_path / "spec"
    assert _import(_file(tmp_path, dev_state()), out, "dev") == 0
    sales = out / "domains" / "sales.yaml"
    sales.write_text(yaml.safe_dump(yaml.safe_load(sales.read_text()), indent=4), "utf-8")
    before = _snapshot(out)
    capsys.readouterr()
    assert _import(_file(tmp_path, prod_state()), out, "prod", "--merge") == 1
    err = capsys.readouterr().err
    assert f"{sales}: GOV710 error: cannot be edited without reformatting it" in err
    assert _snapshot(out) == before


def _metastore() -> State:
    """One metastore, as a live read sees it: the catalogs of every environment."""
    both = [*dev_state().securables, *prod_state().securables]
    return make_state("workspace", both, taken_at="2026-11-26T02:00:00Z")


def test_only_the_environments_catalogs_are_imported(tmp_path, capsys):
    source = _file(tmp_path, _metastore())
    assert _import(source, tmp_path / "by-workspace", "prod", "--workspaces", "31") == 0
    assert sorted(p.name for p in (tmp_path / "by-workspace" / "domains").iterdir()) == [
        "sales.yaml",
        "web.yaml",
    ]
    assert _import(source, tmp_path / "by-name", "dev", "--catalog", "sales_dev") == 0
    assert [p.name for p in (tmp_path / "by-name" / "domains").iterdir()] == ["sales.yaml"]
    # A merge leaves out the catalogs that the spec gives to another environment.
    assert _import(source, tmp_path / "merged", "dev", "--catalog", "sales_dev") == 0
    capsys.readouterr()
    assert _import(source, tmp_path / "merged", "prod", "--merge") == 0
    err = capsys.readouterr().err
    assert "sales_dev: GOV711 note: catalog sales_dev is not imported into prod: the spec " in err
    spec = load_back(tmp_path / "merged")
    prod = resolve_environment(spec, "prod", TODAY).state
    assert {s.name for s in prod.securables if s.type is T.CATALOG} == {"sales_prod", "web_prod"}


def test_what_databricks_maintains_is_left_out(tmp_path, capsys):
    state = make_state(
        "workspace",
        [
            *dev_state().securables,
            make_securable(T.CATALOG, "system", "System user", {}, "OPEN", None),
            make_securable(T.SCHEMA, "sales_dev.information_schema", "System user", {}),
        ],
        environment="dev",
    )
    out = tmp_path / "spec"
    assert _import(_file(tmp_path, state), out, "dev") == 0
    assert (
        "system: GOV711 note: catalog system is maintained by Databricks" in capsys.readouterr().err
    )
    spec = load_back(out)
    resolved = resolve_environment(spec, "dev", TODAY).state
    assert {s.name for s in resolved.securables} == {s.name for s in dev_state().securables}


def test_an_incomplete_merge_marks_every_file_it_writes(tmp_path):
    out = tmp_path / "spec"
    assert _import(_file(tmp_path, dev_state()), out, "dev") == 0
    before = _snapshot(out)
    prod = replace(prod_state(), complete=False, errors=(ReadError("web_prod", "503"),))
    assert _import(_file(tmp_path, prod), out, "prod", "--merge", "--allow-incomplete") == 0
    changed = {rel for rel, data in _snapshot(out).items() if before.get(rel) != data}
    assert changed == {"govkit.yaml", "principals.yaml", "domains/sales.yaml", "domains/web.yaml"}
    for rel in changed:
        text = (out / rel).read_text("utf-8")
        assert "# INCOMPLETE: imported with --allow-incomplete" in text, rel
    # The header comment of an edited file is still there.
    assert "# Imported by govkit import from the State file" in (out / "govkit.yaml").read_text()


def test_imported_files_are_readable_as_any_file_written_here(tmp_path):
    import os
    import stat

    umask = os.umask(0o022)
    try:
        out = tmp_path / "spec"
        assert _import(_file(tmp_path, dev_state()), out, "dev") == 0
        (out / "principals.yaml").chmod(0o640)  # a mode of its own, kept by a merge
        assert _import(_file(tmp_path, prod_state()), out, "prod", "--merge") == 0
    finally:
        os.umask(umask)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*.yaml")}
    assert modes.pop("principals.yaml") == 0o640
    assert set(modes.values()) == {0o644}, modes  # not mkstemp's owner-only 0o600


def test_storage_is_reported_with_where_to_declare_it(tmp_path, capsys):
    location = make_securable(T.EXTERNAL_LOCATION, "landing", "platform", {"etl": ["READ_FILES"]})
    state = make_state("workspace", [*dev_state().securables, location], environment="dev")
    assert _import(_file(tmp_path, state), tmp_path / "spec", "dev") == 0
    err = capsys.readouterr().err
    assert "external location landing is not imported: `govkit import` does not write" in err
    assert "declare it under external_locations in govkit.yaml" in err
