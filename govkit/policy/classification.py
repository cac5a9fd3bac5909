"""Classification rules: sensitive data, known by its governed tags, is protected (GOV33x).

Which tag keys mark sensitive data is the organisation's `classification.sensitive_keys`
(default `pii` and `pci`). A column so tagged is sensitive in each environment it is tagged in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from govkit.diagnostics import Path, Severity
from govkit.policy.base import Finding, Rule, Scope, environments_phrase
from govkit.policy.context import Context, securable_chain
from govkit.resolve import DesiredEnvironment, DesiredPolicy, catalog_name, domain_environments
from govkit.spec import model
from govkit.spec.tags import tag_value

EVERYONE = "account users"


@dataclass(frozen=True)
class SensitiveColumn:
    """A column tagged with a sensitive key, with where the tag is written."""

    file: str
    table_path: Path
    column: str
    key: str
    value: str | model.TagInEnvironments
    environments: tuple[str, ...]  # the protected environments it is tagged in, in order
    tables: tuple[str, ...]  # the table's full name in each of those environments

    @property
    def tag_path(self) -> Path:
        return (*self.table_path, "columns", self.column, "tags", self.key)


def sensitive_columns(ctx: Context) -> Iterator[SensitiveColumn]:
    """Every column tagged with a sensitive key in a protected environment, in file order."""
    org = ctx.spec.organisation
    sensitive = org.classification.sensitive_keys
    protected = [name for name, env in org.environments.items() if env.protected]
    for doc in ctx.spec.domains:
        d = doc.domain
        envs = [e for e in domain_environments(ctx.spec, d) if e in protected]
        for s_name, schema in d.schemas.items():
            for t_name, table in schema.tables.items():
                t_path: Path = ("schemas", s_name, "tables", t_name)
                for c_name, column in table.columns.items():
                    for key in (k for k in column.tags if k in sensitive):
                        value = column.tags[key]
                        where = tuple(e for e in envs if tag_value(value, e) is not None)
                        if not where:
                            continue
                        tables = tuple(
                            f"{d.catalog or catalog_name(ctx.spec, d.domain, e)}.{s_name}.{t_name}"
                            for e in where
                        )
                        yield SensitiveColumn(doc.file, t_path, c_name, key, value, where, tables)


def covers(policy: DesiredPolicy, table: str, key: str, value: str) -> bool:
    """Whether the policy masks or filters this column of this table for every account user."""
    catalog, schema, _ = table.split(".")
    attached = {catalog, f"{catalog}.{schema}", table}
    return (
        policy.on_name in attached
        and policy.tag == key
        and policy.value in (None, value)
        and EVERYONE in policy.to_principals
    )


def _unprotected(
    found: SensitiveColumn, by_env: dict[str, DesiredEnvironment]
) -> list[tuple[str, str]]:
    """(environment, table) of each protected environment where no policy covers the column."""
    out = []
    for env, table in zip(found.environments, found.tables, strict=True):
        value = tag_value(found.value, env) or ""
        policies = by_env[env].policies
        if not any(covers(p, table, found.key, value) for p in policies):
            out.append((env, table))
    return out


class SensitiveColumnsAreProtected(Rule):
    """In a protected environment every column tagged as sensitive is masked or row-filtered.

    A column tagged with a sensitive key (`classification.sensitive_keys`, default `pii` and
    `pci`) holds personal or card data. In production an auditor asks first who reads it in
    the clear: a column-mask policy or a row filter must cover it for every reader outside an
    allowed set: a policy on the table, its schema or its catalog that matches the column's
    tag (and value, if it names one) and applies to `account users`, the exceptions aside.
    A column no such policy covers is reported, unless a waiver on the column or its table
    says why it is safe.

    Bad:

    ```yaml
    tables:
      customers:
        columns:
          email: {tags: {pii: email}}
    ```

    Good:

    ```yaml
    policies:
      mask-pii:
        type: column_mask
        function: governance.mask_string
        match: {tag: pii}
        except_principals: [privacy-officers]
    tables:
      customers:
        columns:
          email: {tags: {pii: email}}
    ```
    """

    code = "GOV330"
    name = "environments.sensitive-columns-are-protected"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for found in sensitive_columns(ctx):
            unprotected = _unprotected(found, ctx.by_env)
            if not unprotected:
                continue
            column_path: Path = (*found.table_path, "columns", found.column)
            chain = securable_chain(found.table_path)
            holders = ((found.file, column_path), *((found.file, p) for p in chain))
            yield Finding(
                f"column {found.column} of {unprotected[0][1]} is tagged {found.key} but no "
                f"column mask or row filter protects it in "
                f"{environments_phrase([e for e, _ in unprotected], protected=True)}",
                found.file,
                found.tag_path,
                f"attach a column_mask or row_filter policy matching tag {found.key} and applying "
                "to account users on the table, its schema or catalog; or waive GOV330 on the "
                "column with the reason it is safe",
                at_key=True,
                waivable_by=holders,
            )


RULES: tuple[type[Rule], ...] = (SensitiveColumnsAreProtected,)
