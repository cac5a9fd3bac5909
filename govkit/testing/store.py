"""The metastore behind the local Unity Catalog API server: securables, grants, bindings, logs.

One lock guards every read and write, so that the REST handlers and the SQL engine see the same
consistent value. It loads from and dumps to State documents, plus lineage and audit rows.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.state import Securable, State, Storage, make_securable, make_state

if TYPE_CHECKING:
    from govkit.testing.caller import Caller

# Securable types that the server stores; the others answer RESOURCE_DOES_NOT_EXIST.
STORED_TYPES = (
    SecurableType.CATALOG,
    SecurableType.SCHEMA,
    SecurableType.TABLE,
    SecurableType.VOLUME,
)
# Metastore-level storage securables (`ucstorage`): no parents, fields kept in `Obj.extra`.
STORAGE_TYPES = (SecurableType.STORAGE_CREDENTIAL, SecurableType.EXTERNAL_LOCATION)
_DEPTH = {
    SecurableType.CATALOG: 1,
    SecurableType.SCHEMA: 2,
    SecurableType.TABLE: 3,
    SecurableType.VOLUME: 3,
}

# Schemas that Unity Catalog creates in every catalog; `information_schema` is system-owned.
SYSTEM_SCHEMA = "information_schema"
SYSTEM_OWNER = "System user"
# Catalogs Databricks maintains in every metastore, with their `catalog_type` (CatalogType of
# databricks-sdk: SYSTEM_CATALOG, DELTASHARING_CATALOG, INTERNAL_CATALOG). A strict server has
# them, as a real metastore does; nobody can grant on them through govkit.
MAINTAINED_CATALOGS = {
    "system": "SYSTEM_CATALOG",
    "samples": "DELTASHARING_CATALOG",
    "__databricks_internal": "INTERNAL_CATALOG",
}


def stored_name(type: SecurableType, name: str) -> str:
    """A name as Unity Catalog stores it: catalogs, schemas and tables in lower case ("Unity
    Catalog ... object names are case-insensitive and stored in lower case", Databricks docs,
    "Names"); credentials and locations as given."""
    return name.lower() if type in STORED_TYPES else name


class ApiError(Exception):
    """An error answered with a Databricks error body: `{"error_code": ..., "message": ...}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(kind: str, name: str) -> ApiError:
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"{kind.capitalize()} '{name}' does not exist.")


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Obj:
    """A catalog, schema or table, with what the API reads and writes on it."""

    type: SecurableType
    name: str
    owner: str
    grants: dict[str, set[str]] = field(default_factory=dict)
    isolation_mode: str = "OPEN"
    bindings: dict[int, str] = field(default_factory=dict)  # workspace id -> binding type
    extra: dict[str, Any] = field(default_factory=dict)  # echoed optional fields (comment, ...)
    created_at: int = 0
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")


@dataclass
class Store:
    """Everything the server knows. Use `lock` around every access from a handler."""

    metastore_id: str = "9f3c1a7e-2b4d-4e8f-a1c6-5d7e9b0f2a34"
    workspace_id: int = 1234567890
    account_id: str = "0d7c5b2a-4e6f-4a8b-9c1d-3e5f7a9b1c2d"
    caller: str = "govkit-test@example.com"  # the default token's principal, an admin
    # The group that owns the metastore: its members are metastore admins (`callers`).
    metastore_owner: str = "metastore-admins"
    # Bearer token -> its principal (`callers.Caller`); the default token is added by UCServer.
    callers: dict[str, Caller] = field(default_factory=dict)
    # Principals deleted from the account since they were granted to: name -> principal id.
    # Their grants stay on the securables, as in Unity Catalog, and list only on request.
    deleted: dict[str, str] = field(default_factory=dict)
    objects: dict[tuple[SecurableType, str], Obj] = field(default_factory=dict)
    service_principals: dict[str, dict[str, Any]] = field(default_factory=dict)
    # SCIM groups by id: account groups and workspace-local ones (`scimgroups.seed_groups`)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Groups and users the account knows (synced from the identity provider). None: anyone,
    # so that a server loaded from State documents alone accepts every grant.
    directory: set[str] | None = None
    # (workspace id, principal id) -> workspace permissions (account permission assignments)
    assignments: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    # (service principal id, policy id) -> federation policy
    federation_policies: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # schema full name -> tables a pipeline writes there once the schema exists
    pending_tables: dict[str, list[Obj]] = field(default_factory=dict)
    lineage: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    statements: dict[str, Any] = field(default_factory=dict)  # statement id -> Statement
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- reading -------------------------------------------------------------------------------

    def get(self, type: SecurableType, name: str) -> Obj:
        obj = self.objects.get((type, stored_name(type, name)))
        if obj is None:
            raise not_found(type.value, name)
        return obj

    def children(self, type: SecurableType, parent: str) -> list[Obj]:
        """Objects of `type` directly under `parent` (a catalog or schema full name), by name."""
        prefix = parent.lower() + "."
        depth = _DEPTH[type]
        found = [
            o
            for (t, n), o in self.objects.items()
            if t is type and n.startswith(prefix) and len(o.parts) == depth
        ]
        return sorted(found, key=lambda o: o.name)

    def knows(self, principal: str) -> bool:
        """Whether a grant may name `principal`: a known group or user, or a service
        principal's application id."""
        if self.directory is None or principal in self.directory:
            return True
        return any(sp.get("applicationId") == principal for sp in self.service_principals.values())

    def catalog_names(self) -> list[str]:
        with self.lock:
            return [o.name for o in self.of_type(SecurableType.CATALOG)]

    def of_type(self, type: SecurableType) -> list[Obj]:
        return sorted((o for (t, _), o in self.objects.items() if t is type), key=lambda o: o.name)

    # -- writing -------------------------------------------------------------------------------

    def add(self, obj: Obj) -> Obj:
        obj.name = stored_name(obj.type, obj.name)
        if (obj.type, obj.name) in self.objects:
            raise ApiError(409, "ALREADY_EXISTS", f"{obj.type.value} '{obj.name}' already exists.")
        obj.created_at = obj.created_at or int(dt.datetime.now().timestamp() * 1000)
        self.objects[(obj.type, obj.name)] = obj
        return obj

    def add_tables(self, tables: Iterable[Securable]) -> None:
        """Tables as pipelines create them: into their schema now if it exists, else the
        moment the schema is created. An existing table is left as it is."""
        for s in tables:
            obj = Obj(SecurableType.TABLE, s.name, s.owner or self.caller)
            schema = s.name.rsplit(".", 1)[0]
            if (SecurableType.SCHEMA, schema) in self.objects:
                self.objects.setdefault((obj.type, obj.name), obj)
            else:
                self.pending_tables.setdefault(schema, []).append(obj)

    def schema_created(self, schema: str) -> None:
        """Let the pipelines waiting on `schema` write their tables."""
        for obj in self.pending_tables.pop(schema, []):
            self.add(obj)

    def remove(self, type: SecurableType, name: str, force: bool) -> None:
        name = self.get(type, name).name
        below = [k for k in self.objects if k[1].startswith(name + ".")]
        if below and not force:
            raise ApiError(
                400,
                "INVALID_STATE",
                f"{type.value} '{name}' is not empty. Use force=true to delete it.",
            )
        for key in [*below, (type, name)]:
            del self.objects[key]

    def change_grants(self, obj: Obj, changes: Iterable[Mapping[str, Any]]) -> None:
        """Apply a permissions PATCH, or reject all of it on the first invalid privilege."""
        allowed = PRIVILEGES[obj.type]
        parsed: list[tuple[str, list[str], list[str]]] = []
        for change in changes:
            principal = change.get("principal")
            if not isinstance(principal, str) or not principal:
                raise ApiError(
                    400, "INVALID_PARAMETER_VALUE", "principal must be a non-empty string"
                )
            add = [str(p) for p in change.get("add") or []]
            remove = [str(p) for p in change.get("remove") or []]
            if add and not self.knows(principal):
                raise ApiError(
                    404,
                    "PRINCIPAL_DOES_NOT_EXIST",
                    f"Could not find principal with name {principal}.",
                )
            for privilege in add:
                if privilege not in allowed:
                    raise ApiError(
                        400,
                        "INVALID_PARAMETER_VALUE",
                        f"Privilege {privilege} is not applicable to this entity "
                        f"[{obj.type.value}:{obj.name}]. If this seems unexpected, please "
                        "ensure that the privilege name is spelled with underscores.",
                    )
            parsed.append((principal, add, remove))
        for principal, add, remove in parsed:
            held = obj.grants.setdefault(principal, set())
            held.update(add)
            held.difference_update(remove)
            if not held:
                del obj.grants[principal]  # the provider waits forever on an empty entry

    def record_audit(
        self, action: str, params: Mapping[str, str], status: int = 200, who: str | None = None
    ) -> None:
        """Append a `system.access.audit` row for a change made through the API."""
        self.audit.append(
            {
                "event_time": now_iso(),
                "user_identity": {"email": who or self.caller},
                "service_name": "unityCatalog",
                "action_name": action,
                "request_params": dict(params),
                "response": {"status_code": status, "error_message": None, "result": None},
            }
        )

    def add_maintained_catalogs(self) -> None:
        """`system`, `samples` and `__databricks_internal`, owned by Databricks, open to all."""
        for name in MAINTAINED_CATALOGS:
            if (SecurableType.CATALOG, name) not in self.objects:
                self.add(Obj(SecurableType.CATALOG, name, SYSTEM_OWNER))

    # -- State documents -----------------------------------------------------------------------

    def load_states(self, states: Iterable[State]) -> None:
        for state in states:
            for s in state.securables:
                if s.type in STORED_TYPES:
                    self._load_securable(s)
                elif s.type in STORAGE_TYPES:
                    self._load_storage(s)

    def _load_securable(self, s: Securable) -> None:
        name = stored_name(s.type, s.name)
        parts = name.split(".")
        owner = s.owner or self.caller
        for depth, parent_type in enumerate(STORED_TYPES[: len(parts) - 1], start=1):
            parent = ".".join(parts[:depth])
            if (parent_type, parent) not in self.objects:
                self.objects[(parent_type, parent)] = Obj(parent_type, parent, owner)
        obj = Obj(s.type, name, owner, {p: set(v) for p, v in s.grants.items()})
        if s.isolation_mode is not None:
            obj.isolation_mode = s.isolation_mode
        if s.workspace_ids is not None:
            obj.bindings = {w: "BINDING_TYPE_READ_WRITE" for w in s.workspace_ids}
        if s.storage_root is not None:
            obj.extra["storage_root"] = s.storage_root
        if s.type is SecurableType.VOLUME:
            obj.extra["volume_type"] = "MANAGED" if s.url is None else "EXTERNAL"
            if s.url is not None:
                obj.extra["storage_location"] = s.url
        self.objects[(s.type, name)] = obj

    def _load_storage(self, s: Securable) -> None:
        """A credential or location as the storage endpoints hold it (their field names)."""
        obj = Obj(s.type, s.name, s.owner or self.caller, {p: set(v) for p, v in s.grants.items()})
        fields = {"url": s.url, "credential_name": s.credential, "read_only": s.read_only}
        obj.extra = {k: v for k, v in fields.items() if v is not None}
        self.objects[(s.type, s.name)] = obj

    def dump_state(self) -> State:
        """Every stored securable as one State document (`source: file`, no environment)."""
        return make_state("file", self._securables())

    def _securables(self) -> Iterator[Securable]:
        for obj in self.objects.values():
            catalog = obj.type is SecurableType.CATALOG
            yield make_securable(
                obj.type,
                obj.name,
                obj.owner,
                obj.grants,
                ("ISOLATED" if obj.isolation_mode == "ISOLATED" else "OPEN") if catalog else None,
                sorted(obj.bindings) if catalog else None,
                storage_of(obj),
            )


def storage_of(obj: Obj) -> Storage | None:
    """The State's storage fields of a stored object: what a reader reports for it."""
    if obj.type is SecurableType.CATALOG:
        root = obj.extra.get("storage_root")
        return Storage(storage_root=str(root)) if root else None
    if obj.type is SecurableType.VOLUME and obj.extra.get("volume_type") == "EXTERNAL":
        return Storage(url=str(obj.extra.get("storage_location", "")))
    if obj.type is SecurableType.STORAGE_CREDENTIAL:
        return Storage(read_only=bool(obj.extra.get("read_only", False)))
    if obj.type is SecurableType.EXTERNAL_LOCATION:
        return Storage(
            url=str(obj.extra.get("url", "")),
            credential=str(obj.extra.get("credential_name", "")),
            read_only=bool(obj.extra.get("read_only", False)),
        )
    return None


def dump_document(store: Store) -> dict[str, Any]:
    """The server's file format: states plus lineage and audit rows (and service principals)."""
    from govkit.state import state_to_dict

    with store.lock:
        return {
            "format": "govkit.ucserver/v1",
            "states": [state_to_dict(store.dump_state())],
            "lineage": list(store.lineage),
            "audit": list(store.audit),
            "service_principals": list(store.service_principals.values()),
            "groups": list(store.groups.values()),
            # What the account host holds, so that a server started from a dump plans clean.
            "assignments": [
                {"workspace_id": ws, "principal_id": principal, "permissions": permissions}
                for (ws, principal), permissions in sorted(store.assignments.items())
            ],
            "federation_policies": [
                {"service_principal_id": sp, "policy": policy}
                for (sp, _), policy in sorted(store.federation_policies.items())
            ],
        }


def load_document(store: Store, data: Any) -> None:
    """Load a State document, a list of them, or the server's own file format."""
    from govkit.state import loads

    if isinstance(data, dict) and data.get("format") == "govkit.ucserver/v1":
        states = [loads(json.dumps(s)) for s in data.get("states", [])]
        store.lineage.extend(data.get("lineage", []))
        store.audit.extend(data.get("audit", []))
        for sp in data.get("service_principals", []):
            store.service_principals[str(sp["id"])] = dict(sp)
        for group in data.get("groups", []):
            store.groups[str(group["id"])] = dict(group)
        for a in data.get("assignments", []):
            store.assignments[(int(a["workspace_id"]), str(a["principal_id"]))] = a["permissions"]
        for f in data.get("federation_policies", []):
            key = (str(f["service_principal_id"]), str(f["policy"]["policy_id"]))
            store.federation_policies[key] = dict(f["policy"])
    elif isinstance(data, list):
        states = [loads(json.dumps(s)) for s in data]
    else:
        states = [loads(json.dumps(data))]
    store.load_states(states)
