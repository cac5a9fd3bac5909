"""The `workspace` reader: the live metastore through the Unity Catalog REST API.

One listing per catalog and schema (every page), one permissions call per securable, one
bindings call per catalog, in parallel under the Retrier. Whatever could not be read lands in
`errors` and the securable is left out: never an empty grant list standing in for "unknown".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from govkit.live.progress import Progress, wanted
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.rest import Rest
from govkit.live.settings import ReaderSettings
from govkit.privileges import SecurableType
from govkit.state import ReadError, Securable, make_securable

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

T = TypeVar("T")
U = TypeVar("U")

# Schemas that Unity Catalog maintains itself; nobody can grant on them or own them.
SYSTEM_SCHEMAS = frozenset({"information_schema"})


class Collector:
    """Securables and errors gathered from many threads."""

    def __init__(self) -> None:
        self.securables: list[Securable] = []
        self.errors: list[ReadError] = []
        self._lock = threading.Lock()

    def add(self, securable: Securable) -> None:
        with self._lock:
            self.securables.append(securable)

    def fail(self, securable: str, message: str) -> None:
        with self._lock:
            self.errors.append(ReadError(securable=securable, message=message))

    def attempt(self, securable: str, what: str, fn: Callable[[], T]) -> T | None:
        """`fn()`, or None with an error naming `securable` when it could not be read."""
        try:
            return fn()
        except ReadFailed as exc:
            self.fail(securable, f"could not read {what}: {exc}")
            return None


def select_catalogs(
    listed: Iterable[dict[str, Any]], declared: Sequence[str], include_all: bool
) -> list[dict[str, Any]]:
    """The listed catalogs in scope: the declared ones, or every one with `include_all`."""
    wanted_names = set(declared)
    return sorted(
        (c for c in listed if include_all or c.get("name") in wanted_names),
        key=lambda c: str(c.get("name")),
    )


def catalog_securable(
    info: dict[str, Any], grants: dict[str, list[str]], workspace_ids: list[int]
) -> Securable:
    mode: Literal["ISOLATED", "OPEN"] = (
        "ISOLATED" if info.get("isolation_mode") == "ISOLATED" else "OPEN"
    )
    return make_securable(
        SecurableType.CATALOG, str(info["name"]), info.get("owner"), grants, mode, workspace_ids
    )


def _parallel(pool: ThreadPoolExecutor, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
    return list(pool.map(fn, items))


class WorkspaceReader:
    """Reads catalogs, schemas and tables in scope, in three parallel waves."""

    def __init__(self, client: WorkspaceClient, settings: ReaderSettings) -> None:
        self.settings = settings
        self.progress = Progress("snapshot", wanted(settings.progress))
        self.rest = Rest(client, Retrier(settings, self.progress))
        self.out = Collector()

    def read(self, declared: Sequence[str], include_all: bool) -> Collector:
        try:
            self._read(declared, include_all)
        finally:
            self.progress.close()
        return self.out

    def _read(self, declared: Sequence[str], include_all: bool) -> None:
        listed = self.out.attempt("metastore", "the catalog list", self.rest.catalogs)
        if listed is None:
            return
        catalogs = select_catalogs(listed, declared, include_all)
        with ThreadPoolExecutor(max(1, self.settings.concurrency)) as pool:
            self.progress.add(len(catalogs))
            schema_lists = _parallel(pool, self.progress.counted(self._catalog), catalogs)
            schemas = [s for found in schema_lists for s in found]
            self.progress.add(len(schemas))
            table_lists = _parallel(pool, self.progress.counted(self._schema), schemas)
            tables = [t for found in table_lists for t in found]
            self.progress.add(len(tables))
            _parallel(pool, self.progress.counted(self._table), tables)

    def _catalog(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        name = str(info["name"])
        grants = self.out.attempt(name, "grants", lambda: self.rest.grants("catalog", name))
        bound = self.out.attempt(
            name, "workspace bindings", lambda: self.rest.workspace_ids("catalog", name)
        )
        if grants is not None and bound is not None:
            self.out.add(catalog_securable(info, grants, bound))
        schemas = self.out.attempt(name, "schemas", lambda: self.rest.schemas(name))
        return [s for s in schemas or [] if s.get("name") not in SYSTEM_SCHEMAS]

    def _schema(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        catalog, schema = str(info["catalog_name"]), str(info["name"])
        full = f"{catalog}.{schema}"
        grants = self.out.attempt(full, "grants", lambda: self.rest.grants("schema", full))
        if grants is not None:
            self.out.add(make_securable(SecurableType.SCHEMA, full, info.get("owner"), grants))
        tables = self.out.attempt(full, "tables", lambda: self.rest.tables(catalog, schema))
        return tables or []

    def _table(self, info: dict[str, Any]) -> None:
        full = f"{info['catalog_name']}.{info['schema_name']}.{info['name']}"
        grants = self.out.attempt(full, "grants", lambda: self.rest.grants("table", full))
        if grants is not None:
            self.out.add(make_securable(SecurableType.TABLE, full, info.get("owner"), grants))
