"""The `workspace` reader: the live metastore through the Unity Catalog REST API.

One listing per catalog and schema (every page), one permissions call per securable, one
bindings call per catalog, in parallel under the Retrier; one listing each of storage
credentials and external locations when any is in scope. Whatever could not be read lands in
`errors` and the securable is left out: never an empty grant list standing in for "unknown".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from govkit.live.progress import Progress, wanted
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.rest import Rest
from govkit.live.settings import ReaderSettings
from govkit.privileges import SecurableType
from govkit.state import ReadError, Securable, Storage, make_securable

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
    """The listed catalogs (or credentials, or locations) in scope, by name: the declared
    ones, or every one with `include_all`."""
    wanted_names = set(declared)
    return sorted(
        (c for c in listed if include_all or c.get("name") in wanted_names),
        key=lambda c: str(c.get("name")),
    )


select_storage = select_catalogs

# Storage credentials and external locations in scope, as `Securable.key`: (type, name).
StorageKeys = Collection[tuple[str, str]]


def names_of(storage: StorageKeys, type: SecurableType) -> list[str]:
    """The names in `storage` of one type: credentials and locations are named apart."""
    return sorted({name for t, name in storage if t == type.value})


def catalog_securable(
    info: dict[str, Any], grants: dict[str, list[str]], workspace_ids: list[int]
) -> Securable:
    mode: Literal["ISOLATED", "OPEN"] = (
        "ISOLATED" if info.get("isolation_mode") == "ISOLATED" else "OPEN"
    )
    # Only a root set on the catalog; `storage_location` is where Unity Catalog put it.
    root = info.get("storage_root") or None
    return make_securable(
        SecurableType.CATALOG,
        str(info["name"]),
        info.get("owner"),
        grants,
        mode,
        workspace_ids,
        Storage(storage_root=str(root)) if root else None,
    )


def storage_fields(type: SecurableType, info: dict[str, Any]) -> Storage:
    """What drift compares on a credential (read-only) or a location (URL, credential, mode)."""
    read_only = bool(info.get("read_only", False))
    if type is SecurableType.STORAGE_CREDENTIAL:
        return Storage(read_only=read_only)
    return Storage(
        url=str(info.get("url") or ""),
        credential=str(info.get("credential_name") or ""),
        read_only=read_only,
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

    def read(
        self, declared: Sequence[str], include_all: bool, storage: StorageKeys = ()
    ) -> Collector:
        """The catalogs `declared` (all with `include_all`) and the credentials and external
        locations in `storage` (all with `include_all`)."""
        try:
            # A metastore whose catalog list cannot be read is not read further: the snapshot
            # is incomplete either way, and each further listing would only retry against it.
            if self._read(declared, include_all) and (storage or include_all):
                self._storage(storage, include_all)
        finally:
            self.progress.close()
        return self.out

    def _storage(self, storage: StorageKeys, include_all: bool) -> None:
        found: list[tuple[SecurableType, dict[str, Any]]] = []
        for type, what, listing in (
            (
                SecurableType.STORAGE_CREDENTIAL,
                "storage credentials",
                self.rest.storage_credentials,
            ),
            (SecurableType.EXTERNAL_LOCATION, "external locations", self.rest.external_locations),
        ):
            declared = names_of(storage, type)
            if not declared and not include_all:
                continue
            listed = self.out.attempt("metastore", f"the {what} list", listing)
            found.extend((type, x) for x in select_storage(listed or [], declared, include_all))
        self.progress.add(len(found))
        with ThreadPoolExecutor(max(1, self.settings.concurrency)) as pool:
            _parallel(pool, self.progress.counted(self._storage_one), found)

    def _storage_one(self, item: tuple[SecurableType, dict[str, Any]]) -> None:
        type, info = item
        name = str(info["name"])
        grants = self.out.attempt(name, "grants", lambda: self.rest.grants(type.value, name))
        if grants is not None:
            fields = storage_fields(type, info)
            self.out.add(make_securable(type, name, info.get("owner"), grants, storage=fields))

    def _read(self, declared: Sequence[str], include_all: bool) -> bool:
        """Read the catalogs in scope; False when the catalog list itself could not be read."""
        listed = self.out.attempt("metastore", "the catalog list", self.rest.catalogs)
        if listed is None:
            return False
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
        return True

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
