"""The local SQL warehouse: Databricks SQL translated by sqlglot, answered by DuckDB.

A statement is parsed in the Databricks dialect, its `:name` parameters bound as typed literals,
its table names resolved against the system tables (anything else is TABLE_OR_VIEW_NOT_FOUND),
then written in DuckDB's dialect and run over tables filled from the server's store. A source is
reloaded only when its content changed since the last statement. Errors answer as a warehouse
does: `[ERROR_CLASS] message SQLSTATE: xxxxx`.

Only the statement API imports this module: duckdb and sqlglot stay off every other path.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from govkit.privileges import SecurableType
from govkit.testing import systables
from govkit.testing.store import Store
from govkit.testing.warehouse_values import column_info, text_sql

# Databricks table-valued functions that sqlglot does not model.
_TABLE_FUNCTIONS = {"range"}

# A statement parameter: (value or None for NULL, SQL type name as the request gave it)
Parameter = tuple[str | None, str]


class SqlError(Exception):
    """A statement the warehouse refuses or cannot run: answered with state FAILED."""

    def __init__(self, error_class: str, message: str, sql_state: str) -> None:
        super().__init__(f"[{error_class}] {message} SQLSTATE: {sql_state}")
        self.error_class = error_class
        self.sql_state = sql_state


@dataclass(frozen=True)
class Result:
    columns: list[dict[str, Any]]  # `manifest.schema.columns`
    rows: list[list[str | None]]  # JSON_ARRAY values: text or null


class Warehouse:
    """One DuckDB database per server, answering one statement at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db = duckdb.connect(
            config={
                "threads": 1,  # statements are small; the machine is shared
                "enable_external_access": False,  # no files, no extension downloads
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            }
        )
        self._db.execute("SET TimeZone = 'UTC'")
        for ddl in systables.schema_ddl():
            self._db.execute(ddl)
        self._loaded: dict[str, systables.Columns] = {}

    def run(
        self,
        store: Store,
        sql: str,
        parameters: Mapping[str, Parameter],
        catalog: str | None = None,
        schema: str | None = None,
        view: systables.View | None = None,
    ) -> Result:
        """Every row of `sql` as JSON_ARRAY text, with the manifest's column descriptions.

        `view`: the caller and workspace the statement runs as; the system tables show only
        what they may see (None: everything)."""
        if catalog and view is not None:
            _check_catalog(store, catalog, view)
        query, sources = translate(sql, parameters, catalog, schema)
        with self._lock:
            for source in sources:
                self._sync(store, source, view)
            try:
                relation = self._db.sql(query)
                names, types = relation.columns, relation.types
                aliases = ", ".join(f"c{i}" for i in range(len(names)))
                texts = ", ".join(text_sql(t, f"c{i}") for i, t in enumerate(types))
                # DuckDB writes the values as text too: one pass in C, order kept.
                rows = self._db.sql(f"SELECT {texts} FROM ({query}) AS q({aliases})").fetchall()
            except duckdb.Error as exc:
                raise _from_duckdb(exc) from None
        columns = [column_info(n, i, t) for i, (n, t) in enumerate(zip(names, types, strict=True))]
        return Result(columns, [list(r) for r in rows])

    def _sync(self, store: Store, source: systables.Source, view: systables.View | None) -> None:
        try:
            content = systables.fill(store, source, view)
        except systables.LoadError as exc:
            raise SqlError("INTERNAL_ERROR", str(exc), "XX000") from None
        if self._loaded.get(source.table) == content:
            return
        self._db.execute(f"DELETE FROM {source.table}")
        if any(content.values()):
            try:
                self._db.execute(systables.insert_sql(source), list(content.values()))
            except duckdb.Error as exc:
                message = f"cannot load {source.table} from the store: {exc}"
                raise SqlError("INTERNAL_ERROR", message, "XX000") from None
        self._loaded[source.table] = content


def _check_catalog(store: Store, catalog: str, view: systables.View) -> None:
    """A statement's default catalog must be one the caller reaches from this workspace: an
    ISOLATED catalog bound elsewhere answers as Databricks SQL does, `[INSUFFICIENT_PERMISSIONS]`
    with SQLSTATE 42501 (docs: "Error classes in Databricks", INSUFFICIENT_PERMISSIONS)."""
    from govkit.testing import callers

    caller, workspace = view
    with store.lock:
        obj = store.objects.get((SecurableType.CATALOG, catalog.lower()))
        if obj is None or callers.sees(store, caller, obj):
            if obj is None or callers.reachable(store, workspace, obj):
                return
            reason = "is not accessible in current workspace"
        else:
            reason = "is not visible to the user: it holds no privilege on it"
    raise SqlError("INSUFFICIENT_PERMISSIONS", f"Catalog '{catalog}' {reason}.", "42501")


def translate(
    sql: str,
    parameters: Mapping[str, Parameter],
    catalog: str | None = None,
    schema: str | None = None,
) -> tuple[str, list[systables.Source]]:
    """DuckDB SQL for one Databricks query, and the sources it reads."""
    tree = _parse(sql)
    for call in tree.find_all(exp.Anonymous):
        # sqlglot knows the Databricks functions; an unknown one may still exist in DuckDB.
        if call.name.lower() not in _TABLE_FUNCTIONS:
            raise SqlError(
                "UNRESOLVED_ROUTINE",
                f"Cannot resolve routine `{call.name}` on search path "
                "[`system`.`builtin`, `system`.`session`].",
                "42883",
            )
    sources = _resolve_tables(tree, catalog, schema)
    if not isinstance(tree, exp.Query):
        raise SqlError(
            "INSUFFICIENT_PERMISSIONS",
            f"The local warehouse is read-only: it answers queries, not {tree.key.upper()}.",
            "42501",
        )
    _bind(tree, parameters)
    return tree.sql(dialect="duckdb"), sources


def _parse(sql: str) -> exp.Expr:
    try:
        trees = [t for t in sqlglot.parse(sql, read="databricks") if t is not None]
    except ParseError as exc:
        near = exc.errors[0].get("highlight") if exc.errors else None
        where = f"'{near}'" if near else "end of input"
        raise SqlError("PARSE_SYNTAX_ERROR", f"Syntax error at or near {where}.", "42601") from None
    except TokenError as exc:
        raise SqlError("PARSE_SYNTAX_ERROR", f"Syntax error: {exc}.", "42601") from None
    if len(trees) != 1:
        found = "no statement" if not trees else f"{len(trees)} statements"
        message = f"Syntax error: the API runs exactly one statement, found {found}."
        raise SqlError("PARSE_SYNTAX_ERROR", message, "42601")
    return trees[0]


def _resolve_tables(
    tree: exp.Expr, catalog: str | None, schema: str | None
) -> list[systables.Source]:
    """Point each system table at its DuckDB name; refuse every other table."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    sources: list[systables.Source] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # a table-valued function such as range(10)
        given = [p for p in (table.catalog, table.db, table.name) if p]
        if len(given) == 1 and given[0].lower() in ctes:
            continue
        prefix = [catalog or "", schema or ""][: 3 - len(given)]  # the request's defaults
        full = ".".join([*prefix, *given]).lower()
        found = systables.TABLES.get(full)
        if found is None:
            quoted = ".".join(f"`{p}`" for p in given)
            raise SqlError(
                "TABLE_OR_VIEW_NOT_FOUND",
                f"The table or view {quoted} cannot be found. Verify the spelling and "
                "correctness of the schema and catalog.",
                "42P01",
            )
        duck, needs = found
        duck_schema, duck_name = duck.split(".")
        table.set("catalog", None)
        table.set("db", exp.to_identifier(duck_schema))
        table.set("this", exp.to_identifier(duck_name))
        sources.extend(s for s in needs if s not in sources)
    return sources


def _bind(tree: exp.Expr, parameters: Mapping[str, Parameter]) -> None:
    """Replace each `:name` marker by its value, a literal of the parameter's type."""
    for marker in list(tree.find_all(exp.Placeholder)):
        name = marker.name
        if not name:
            raise SqlError(
                "UNBOUND_SQL_PARAMETER",
                "Positional parameter markers (?) are not supported; use named markers (:name).",
                "42P02",
            )
        if name not in parameters:
            raise SqlError(
                "UNBOUND_SQL_PARAMETER", f"Found the unbound parameter: {name}.", "42P02"
            )
        value, type_name = parameters[name]
        marker.replace(_literal(value, type_name))


def _literal(value: str | None, type_name: str) -> exp.Expr:
    if value is None:
        return exp.Null()
    text = exp.Literal.string(value)
    if type_name.upper() in ("", "STRING"):
        return text
    try:
        return exp.cast(text, exp.DataType.build(type_name, dialect="databricks"))
    except (ParseError, ValueError):
        raise SqlError(
            "UNSUPPORTED_DATATYPE", f'Unsupported data type "{type_name}".', "0A000"
        ) from None


# DuckDB's error kinds, as the Databricks error classes a reader would see.
_CLASSES: tuple[tuple[type[duckdb.Error], str, str], ...] = (
    (duckdb.ParserException, "PARSE_SYNTAX_ERROR", "42601"),
    (duckdb.BinderException, "UNRESOLVED_COLUMN", "42703"),
    (duckdb.CatalogException, "UNRESOLVED_ROUTINE", "42883"),
    (duckdb.ConversionException, "CAST_INVALID_INPUT", "22018"),
    (duckdb.OutOfRangeException, "ARITHMETIC_OVERFLOW", "22003"),
    (duckdb.InvalidInputException, "INVALID_PARAMETER_VALUE", "22023"),
)


def _from_duckdb(exc: duckdb.Error) -> SqlError:
    message = str(exc).split("\n", 1)[0].split(": ", 1)[-1]
    for kind, error_class, sql_state in _CLASSES:
        if isinstance(exc, kind):
            return SqlError(error_class, message, sql_state)
    return SqlError("INTERNAL_ERROR", message, "XX000")


_warehouses: dict[int, Warehouse] = {}
_registry_lock = threading.Lock()


def warehouse_for(store: Store) -> Warehouse:
    """The warehouse over `store`, made on its first statement and dropped with the store."""
    with _registry_lock:
        found = _warehouses.get(id(store))
        if found is None:
            found = _warehouses[id(store)] = Warehouse()
            weakref.finalize(store, _warehouses.pop, id(store), None)
        return found
