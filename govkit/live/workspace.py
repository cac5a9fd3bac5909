"""The `workspace` reader: the live metastore through the Unity Catalog REST API.

One listing per catalog and schema (every page), one permissions call per securable, one
bindings call per catalog, in parallel under the Retrier; one listing each of storage
credentials and external locations when any is in scope. Whatever could not be read lands in
`errors` and the securable is left out: never an empty grant list standing in for "unknown".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from govkit.live.identity import NOT_ACCESSIBLE, Reader, unreachable, who_reads
from govkit.live.progress import Progress, wanted
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.rest import Rest
from govkit.live.settings import ReaderSettings
from govkit.privileges import SecurableType
from govkit.state import MAINTAINED_CATALOGS, ReadError, Securable, Storage, make_securable

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
    """The listed catalogs in scope, by name: the declared ones, or with `include_all` every one
    but those Databricks maintains (`system`, `samples`, ...) that are not declared."""
    wanted_names = set(declared)
    return sorted(
        (
            c
            for c in listed
            if c.get("name") in wanted_names
            or (include_all and c.get("name") not in MAINTAINED_CATALOGS)
        ),
        key=lambda c: str(c.get("name")),
    )


def select_storage(
    listed: Iterable[dict[str, Any]], declared: Sequence[str], include_all: bool
) -> list[dict[str, Any]]:
    """The listed credentials or locations in scope: the declared ones, or all."""
    wanted_names = set(declared)
    return sorted(
        (c for c in listed if include_all or c.get("name") in wanted_names),
        key=lambda c: str(c.get("name")),
    )


# Storage credentials and external locations in scope, as `Securable.key`: (type, name).
StorageKeys = Collection[tuple[str, str]]


def names_of(storage: StorageKeys, type: SecurableType) -> list[str]:
    """The names in `storage` of one type: credentials and locations are named apart."""
    return sorted({name for t, name in storage if t == type.value})


# The workspaces bound to a securable, and those of them bound read-only.
Bindings = tuple[list[int], list[int]]


def catalog_securable(
    info: dict[str, Any],
    grants: dict[str, list[str]],
    workspace_ids: list[int],
    read_only: Sequence[int] = (),
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
        read_only,
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


def storage_isolation(rest: Rest, type: SecurableType, info: dict[str, Any]) -> Isolation:
    """A credential's or location's isolation: ("ISOLATED", its bound workspaces) when the
    listing says ISOLATION_MODE_ISOLATED, else (None, None): open to every workspace of the
    metastore, what the compiled resources (which set no isolation mode) mean."""
    if info.get("isolation_mode") != "ISOLATION_MODE_ISOLATED":
        return None, None
    return "ISOLATED", rest.bindings(type.value, str(info["name"]))[0]


Isolation = tuple[Literal["ISOLATED"] | None, list[int] | None]


def _parallel(pool: ThreadPoolExecutor, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
    return list(pool.map(fn, items))


def check_scope(
    out: Collector,
    reader: Reader,
    listed: Iterable[dict[str, Any]],
    declared: Sequence[str],
    what: str,
) -> list[dict[str, Any]]:
    """The listed securables the reader sees whole; the others, and declared ones a non-admin
    does not see listed, become errors: an incomplete read, never a missing securable."""
    seen: list[dict[str, Any]] = []
    names = set()
    for info in listed:
        name = str(info.get("name"))
        names.add(name)
        if reader.sees_all_of(info):
            seen.append(info)
        else:
            out.fail(name, reader.cannot_see(f"{what} {name}"))
    if not reader.admin:
        for name in sorted(set(declared) - names):
            out.fail(name, reader.not_listed(what))
    return seen


# A listed securable with the REST client of the workspace it is read through.
Via = tuple[Rest, dict[str, Any]]
Leaf = tuple[Rest, dict[str, Any], SecurableType]  # a table or volume, and the client to use


class WorkspaceReader:
    """Reads catalogs, schemas and tables in scope, in three parallel waves."""

    def __init__(
        self,
        client: WorkspaceClient,
        settings: ReaderSettings,
        hosts: Mapping[int, str] | None = None,
    ) -> None:
        self.settings = settings
        self.progress = Progress("snapshot", wanted(settings.progress))
        self.rest = Rest(client, Retrier(settings, self.progress))
        self.out = Collector()
        self.hosts = dict(hosts or {})
        self.reader = Reader("(unknown)", frozenset(), False, None)
        self._others: dict[int, Rest] = {}
        self._others_lock = threading.Lock()

    def read(
        self, declared: Sequence[str], include_all: bool, storage: StorageKeys = ()
    ) -> Collector:
        """The catalogs `declared` (all with `include_all`) and the credentials and external
        locations in `storage` (all with `include_all`)."""
        try:
            who = self.out.attempt("metastore", "who the reader runs as", self._who)
            # A metastore whose catalog list cannot be read is not read further: the snapshot
            # is incomplete either way, and each further listing would only retry against it.
            if who and self._read(declared, include_all) and (storage or include_all):
                self._storage(storage, include_all)
        finally:
            self.progress.close()
        return self.out

    def _who(self) -> Reader:
        self.reader = who_reads(self.rest)
        return self.reader

    def _through(self, info: dict[str, Any], bound: list[int]) -> Rest | None:
        """The REST client to read a catalog through: this workspace's, or, for an ISOLATED
        catalog not bound to it, that of a bound workspace whose host the organisation file
        gives (None when it gives none: the catalog is tried here, as a lenient host may
        serve it)."""
        here = self.reader.workspace_id
        if info.get("isolation_mode") != "ISOLATED" or here is None or here in bound:
            return self.rest
        host = next((self.hosts[w] for w in sorted(bound) if w in self.hosts), None)
        if host is None:
            return None
        wid = next(w for w in sorted(bound) if w in self.hosts)
        with self._others_lock:
            if wid not in self._others:
                from govkit.live.client import on_host

                self._others[wid] = Rest(on_host(self.rest.client, host), self.rest.retrier)
            return self._others[wid]

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
            selected = select_storage(listed or [], declared, include_all)
            if listed is not None:
                selected = check_scope(self.out, self.reader, selected, declared, what[:-1])
            found.extend((type, x) for x in selected)
        self.progress.add(len(found))
        with ThreadPoolExecutor(max(1, self.settings.concurrency)) as pool:
            _parallel(pool, self.progress.counted(self._storage_one), found)

    def _storage_one(self, item: tuple[SecurableType, dict[str, Any]]) -> None:
        type, info = item
        name = str(info["name"])
        grants = self.out.attempt(name, "grants", lambda: self.rest.grants(type.value, name))
        isolation = self.out.attempt(
            name, "workspace bindings", lambda: storage_isolation(self.rest, type, info)
        )
        if grants is not None and isolation is not None:
            fields = storage_fields(type, info)
            owner = info.get("owner")
            self.out.add(make_securable(type, name, owner, grants, *isolation, fields))

    def _read(self, declared: Sequence[str], include_all: bool) -> bool:
        """Read the catalogs in scope; False when the catalog list itself could not be read."""
        listed = self.out.attempt("metastore", "the catalog list", self.rest.catalogs)
        if listed is None:
            return False
        selected = select_catalogs(listed, declared, include_all)
        catalogs = check_scope(self.out, self.reader, selected, declared, "catalog")
        with ThreadPoolExecutor(max(1, self.settings.concurrency)) as pool:
            self.progress.add(len(catalogs))
            schema_lists = _parallel(pool, self.progress.counted(self._catalog), catalogs)
            schemas = [s for found in schema_lists for s in found]
            self.progress.add(len(schemas))
            leaf_lists = _parallel(pool, self.progress.counted(self._schema), schemas)
            leaves = [t for found in leaf_lists for t in found]
            self.progress.add(len(leaves))
            _parallel(pool, self.progress.counted(self._leaf), leaves)
        return True

    def _catalog(self, info: dict[str, Any]) -> list[Via]:
        name = str(info["name"])
        found = self.out.attempt(
            name, "workspace bindings", lambda: self.rest.bindings("catalog", name)
        )
        if found is None:
            return []
        bound, read_only = found
        rest = self._through(info, bound)
        via = rest or self.rest

        def attempt(what: str, fn: Callable[[], T]) -> T | None:
            try:
                return fn()
            except ReadFailed as exc:
                if rest is None and NOT_ACCESSIBLE in str(exc):
                    if what == "grants":  # one error for the catalog, not one per call
                        self.out.fail(name, unreachable(bound, self.reader, name))
                else:
                    self.out.fail(name, f"could not read {what}: {exc}")
                return None

        grants = attempt("grants", lambda: via.grants("catalog", name))
        if grants is not None:
            self.out.add(catalog_securable(info, grants, bound, read_only))
        schemas = attempt("schemas", lambda: via.schemas(name))
        return [(via, s) for s in schemas or [] if s.get("name") not in SYSTEM_SCHEMAS]

    def _schema(self, item: Via) -> list[Leaf]:
        rest, info = item
        catalog, schema = str(info["catalog_name"]), str(info["name"])
        full = f"{catalog}.{schema}"
        grants = self.out.attempt(full, "grants", lambda: rest.grants("schema", full))
        if grants is not None:
            self.out.add(make_securable(SecurableType.SCHEMA, full, info.get("owner"), grants))
        tables = self.out.attempt(full, "tables", lambda: rest.tables(catalog, schema))
        volumes = self.out.attempt(full, "volumes", lambda: rest.volumes(catalog, schema))
        return [
            *((rest, t, SecurableType.TABLE) for t in tables or []),
            *((rest, v, SecurableType.VOLUME) for v in volumes or []),
        ]

    def _leaf(self, item: Leaf) -> None:
        rest, info, type = item
        full = f"{info['catalog_name']}.{info['schema_name']}.{info['name']}"
        grants = self.out.attempt(full, "grants", lambda: rest.grants(type.value, full))
        if grants is None:
            return
        external = type is SecurableType.VOLUME and info.get("volume_type") == "EXTERNAL"
        where = Storage(url=str(info.get("storage_location") or "")) if external else None
        self.out.add(make_securable(type, full, info.get("owner"), grants, storage=where))
