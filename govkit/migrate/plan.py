"""`govkit migrate plan`: from a Hive assessment and a mapping file to the domain files of a new
spec and the SQL that moves the tables, or the diagnostics that say why not (nothing written).

The spec folder given must hold the organisation file (its environments name the workspaces);
the plan adds `domains/<domain>.yaml` and `migration/<domain>.sql` and refuses to replace a
file that is there. Domain files are written by the same writer as `govkit import`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govkit.adopt.waive import add_waivers
from govkit.diagnostics import Diagnostic, Severity, has_errors, locate
from govkit.diagnostics import Path as DocPath
from govkit.edit.yamltext import render
from govkit.identity.document import Identities
from govkit.migrate.build import build
from govkit.migrate.document import HiveAssessment
from govkit.migrate.mapping import diagnostic, parse
from govkit.migrate.moves import moves_sql, table_move, views_in_order
from govkit.migrate.targets import Targets, catalog_name, targets
from govkit.spec.loader import FileKind, SourceIndex, classify, load_files


@dataclass
class Plan:
    files: dict[Path, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tables: int = 0
    grants_untranslated: int = 0
    waived: int = 0  # policy findings waived as imported
    users: int = 0  # people whose Hive grants are kept with an `imported:` waiver


@dataclass
class _Spec:
    """What the plan reads of the spec folder: its files by relative path, their problems."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def organisation(self) -> dict[str, Any] | None:
        found = [d for d in self.files.values() if classify(d) is FileKind.ORGANISATION]
        return found[0] if found else None

    @property
    def users(self) -> set[str]:
        return {
            str(u)
            for d in self.files.values()
            if classify(d) is FileKind.PRINCIPALS
            for u in (d.get("users") or {})
        }


def spec_of(spec_dir: str) -> _Spec:
    loaded = load_files(spec_dir)
    root = Path(spec_dir)
    out = _Spec(
        {Path(f.path).relative_to(root).as_posix(): f.data for f in loaded.files},
        loaded.diagnostics,
    )
    if out.organisation is None and not out.diagnostics:
        out.diagnostics.append(diagnostic(
            "GOV808", f"{spec_dir} holds no organisation file", spec_dir, (),
            "copy govkit.yaml of the organisation into it first",
        ))  # fmt: skip
    return out


def _users_file(users: set[str]) -> dict[str, Any]:
    reason = "Kept from a Hive grant by govkit migrate plan; replace by a group grant."
    return {"users": {u: {"description": reason} for u in sorted(users)}}


def _waived(spec: _Spec, planned: dict[str, dict[str, Any]], today: dt.date,
            expires: dt.date, out: Plan) -> None:  # fmt: skip
    """Waive every policy finding on the planned files as imported, as `govkit import` does;
    a finding no waiver silences, or one on a file the plan does not write, stays an error."""
    files = {**spec.files, **planned}
    touched: set[str] = set()
    found = add_waivers(files, today, expires, touched=touched)
    out.waived = sum(d.message.startswith("waived as imported") for d in found)
    out.diagnostics += [d for d in found if d.severity is Severity.ERROR]
    for rel in sorted(touched - set(planned)):
        out.diagnostics.append(diagnostic(
            "GOV809", f"{rel}: the plan would need a waiver in this file, which it does not write",
            rel, (), "fix the finding in the spec folder first",
        ))  # fmt: skip


def _sql(doc: HiveAssessment, of: Targets, organisation: AbcMapping[str, Any],
         mapping_file: str, plan: Plan) -> dict[str, str]:  # fmt: skip
    sections: dict[str, dict[tuple[int, str], list[str]]] = {}
    for w in doc.workspaces:
        env = of.environment.get(w.workspace_id, "")

        def schema_of(db: str, ws: int = w.workspace_id, env: str = env) -> str | None:
            t = of.of.get((ws, db))
            return None if t is None else f"{catalog_name(organisation, t.domain, env)}.{t.schema}"

        for d in w.databases:
            target = schema_of(d.name)
            t = of.of.get((w.workspace_id, d.name))
            if target is None or t is None:
                continue
            lines = sections.setdefault(t.domain, {}).setdefault((w.workspace_id, env), [])
            for table in d.tables:
                if table.type != "VIEW":
                    plan.tables += 1
                    source = f"hive_metastore.{d.name}.{table.name}"
                    lines.append(table_move(source, f"{target}.{table.name}", table))
        views, bad = views_in_order(w, schema_of)
        for v in views:
            t = of.of[(w.workspace_id, v.database)]
            plan.tables += 1
            target = f"{schema_of(v.database)}.{v.name}"
            sections[t.domain][(w.workspace_id, env)].append(
                f"CREATE OR REPLACE VIEW {target} AS {v.text};"
            )
        for u in bad:
            plan.diagnostics.append(diagnostic(
                "GOV806",
                f"workspace {w.workspace_id}: view {u.database}.{u.view} reads {u.reads}, "
                "which does not move to Unity Catalog",
                mapping_file, of.of[(w.workspace_id, u.database)].entry,
                "map the database it reads too, or skip the view's database",
            ))  # fmt: skip
    return {domain: moves_sql(domain, s) for domain, s in sorted(sections.items())}


def plan(
    doc: HiveAssessment, assessment_file: str, mapping_raw: bytes, mapping_file: str,
    identities: Identities, spec_dir: str, today: dt.date,
) -> Plan:  # fmt: skip
    out = Plan()
    spec = spec_of(spec_dir)
    organisation = spec.organisation
    mapping, mapping_problems = parse(mapping_file, mapping_raw)
    out.diagnostics += spec.diagnostics + mapping_problems
    for what, complete in (("Hive assessment", doc.complete), ("identities", identities.complete)):
        if not complete:
            out.diagnostics.append(diagnostic(
                "GOV808", f"the {what} document is incomplete: the plan cannot be checked",
                assessment_file if what != "identities" else "identities", (),
                "read it again until it is complete",
            ))  # fmt: skip
    if mapping is None or organisation is None:
        return _located(out, mapping_file, mapping_raw)
    of = targets(doc, assessment_file, mapping, mapping_file, organisation)
    built = build(doc, of, mapping, mapping_file, identities, organisation)
    sql = _sql(doc, of, organisation, mapping_file, out)
    out.diagnostics += of.diagnostics + built.diagnostics
    out.grants_untranslated = built.untranslated
    out.users = len(built.users)
    if has_errors(out.diagnostics):
        return _located(out, mapping_file, mapping_raw)
    planned = {f"domains/{d}.yaml": body for d, body in sorted(built.domains.items())}
    if built.users - spec.users:
        planned["principals/migrated-users.yaml"] = _users_file(built.users - spec.users)
    _waived(spec, planned, today, mapping.waivers_expire, out)
    root = Path(spec_dir)
    header: dict[DocPath, list[str]] = {
        (): [f"Planned by govkit migrate plan from {Path(assessment_file).name}."]
    }
    for rel, body in planned.items():
        out.files[root / rel] = render(body, header)
    for domain in built.domains:
        out.files[root / "migration" / f"{domain}.sql"] = sql.get(domain, moves_sql(domain, {}))
    for path in sorted(out.files):
        if path.exists():
            out.diagnostics.append(diagnostic(
                "GOV809", f"{path.as_posix()} exists already; the plan writes a new spec",
                path.as_posix(), (), "plan into a spec folder without this domain",
            ))  # fmt: skip
    return _located(out, mapping_file, mapping_raw)


def _located(out: Plan, mapping_file: str, mapping_raw: bytes) -> Plan:
    out.diagnostics = locate(out.diagnostics, SourceIndex({mapping_file: mapping_raw}))
    if has_errors(out.diagnostics):
        out.files = {}
    return out
