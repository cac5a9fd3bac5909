"""Who calls the local metastore, and what Unity Catalog lets each caller see and change.

Each bearer token is one principal: a metastore admin, a workspace admin, a user or a service
principal, with its account group memberships. The rules follow the Databricks documentation as
databricks-sdk carries it (`databricks/sdk/service/catalog.py`, v0.167):

- `CatalogsAPI.list`: "If the caller is the metastore admin, all catalogs will be retrieved.
  Otherwise, only catalogs owned by the caller (or for which the caller has the USE_CATALOG
  privilege) will be retrieved"; with `include_browse`, catalogs it holds BROWSE on as well,
  "returned with browse_only set to true".
- `SchemasAPI.list`: the metastore admin or the owner of the parent catalog sees every schema;
  others only those they own or hold USE_SCHEMA on.
- `TablesAPI.list`: a metastore admin, or an owner of (or a holder of SELECT on) the table who
  is also owner or holder of USE_CATALOG and USE_SCHEMA on its parents.
- `WorkspaceBindingsAPI.get_bindings`: "The caller must be a metastore admin or an owner of the
  securable."
- `GrantsAPI`: "Access can be granted by either a metastore admin, the owner of an object, or
  the owner of the catalog or schema that contains the object"; MANAGE grants the same right
  (docs: "Manage privileges in Unity Catalog", the MANAGE privilege).
- `information_schema`: the views show only the objects the caller has a privilege on, and a
  grant row only to the object's owner, an admin, or the grantee itself: "a MANAGE holder sees
  only its own grants" (shared reference unity-catalog.md, Reading grants).

A workspace admin holds no Unity Catalog privilege for being one: it is a user to these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from govkit.privileges import PRIVILEGES, SecurableType
from govkit.testing.caller import ACCOUNT_USERS as ACCOUNT_USERS
from govkit.testing.caller import DEFAULT_NAME as DEFAULT_NAME
from govkit.testing.caller import ROLES as ROLES
from govkit.testing.caller import Caller as Caller
from govkit.testing.store import ApiError, Obj, Store


def denied(message: str) -> ApiError:
    return ApiError(403, "PERMISSION_DENIED", message)


def is_admin(store: Store, caller: Caller) -> bool:
    """A metastore admin: so declared, or a member of the group that owns the metastore."""
    return caller.role == "metastore_admin" or store.metastore_owner in caller.principals


def lineage(store: Store, obj: Obj) -> Iterator[Obj]:
    """`obj`, then its schema and its catalog (those that exist)."""
    parts = obj.parts
    yield obj
    if obj.type not in (SecurableType.SCHEMA, SecurableType.TABLE, SecurableType.VOLUME):
        return
    for depth, type in ((2, SecurableType.SCHEMA), (1, SecurableType.CATALOG)):
        if depth < len(parts):
            found = store.objects.get((type, ".".join(parts[:depth])))
            if found is not None:
                yield found


def owns(store: Store, caller: Caller, obj: Obj, *, inherited: bool = True) -> bool:
    """Whether the caller owns `obj` (or, `inherited`, the schema or catalog holding it)."""
    objs = lineage(store, obj) if inherited else iter([obj])
    return any(o.owner in caller.principals for o in objs)


def privileges(store: Store, caller: Caller, obj: Obj) -> set[str]:
    """The caller's privileges on `obj`: granted on it or inherited from its parents."""
    held: set[str] = set()
    for o in lineage(store, obj):
        for principal, granted in o.grants.items():
            if principal in caller.principals:
                held.update(granted)
    if "ALL_PRIVILEGES" in held:
        held.update(PRIVILEGES.get(obj.type, ()))
    return held


def sees(store: Store, caller: Caller, obj: Obj) -> bool:
    """Whether the object shows in `information_schema` for the caller."""
    if is_admin(store, caller) or owns(store, caller, obj):
        return True
    return bool(privileges(store, caller, obj))


def sees_grant(store: Store, caller: Caller, obj: Obj, grantee: str) -> bool:
    """Whether a grant row shows in `information_schema`: admins and owners see every grant
    on an object; anyone else, MANAGE holders included, only its own."""
    return is_admin(store, caller) or owns(store, caller, obj) or grantee in caller.principals


def catalog_view(store: Store, caller: Caller, obj: Obj, include_browse: bool) -> str | None:
    """How a catalog lists for the caller: "full", "browse" (browse_only), or None."""
    if is_admin(store, caller) or owns(store, caller, obj):
        return "full"
    held = privileges(store, caller, obj)
    if "USE_CATALOG" in held:
        return "full"
    if include_browse and "BROWSE" in held:
        return "browse"
    return None


def lists_schema(store: Store, caller: Caller, catalog: Obj, schema: Obj) -> bool:
    if is_admin(store, caller) or owns(store, caller, catalog):
        return True
    return owns(store, caller, schema) or "USE_SCHEMA" in privileges(store, caller, schema)


def lists_table(store: Store, caller: Caller, table: Obj, needs: str = "SELECT") -> bool:
    """Whether a table (or, with `needs` READ_VOLUME, a volume) shows in a listing."""
    if is_admin(store, caller) or owns(store, caller, table):
        return True
    parents = {o.type: o for o in lineage(store, table)}
    catalog, schema = parents.get(SecurableType.CATALOG), parents.get(SecurableType.SCHEMA)
    if catalog is None or schema is None:
        return False
    path = (
        owns(store, caller, catalog) or "USE_CATALOG" in privileges(store, caller, catalog)
    ) and (owns(store, caller, schema) or "USE_SCHEMA" in privileges(store, caller, schema))
    return path and needs in privileges(store, caller, table)


def can_manage(store: Store, caller: Caller, obj: Obj) -> bool:
    """Who may change grants or owner: an admin, an owner (of it or a parent), MANAGE."""
    if is_admin(store, caller) or owns(store, caller, obj):
        return True
    return "MANAGE" in privileges(store, caller, obj)


def require_manage(store: Store, caller: Caller, obj: Obj) -> None:
    if not can_manage(store, caller, obj):
        raise denied(f"User does not have MANAGE on {obj.type.value.capitalize()} '{obj.name}'.")


def may_bind(store: Store, caller: Caller, obj: Obj) -> bool:
    """Who may read and change a securable's workspace bindings: an admin or its owner."""
    return is_admin(store, caller) or owns(store, caller, obj, inherited=False)


def require_bindings_reader(store: Store, caller: Caller, obj: Obj) -> None:
    if not may_bind(store, caller, obj):
        raise denied(
            f"User is not an owner of {obj.type.value.capitalize()} '{obj.name}' or a "
            "metastore admin."
        )


def require_visible(store: Store, caller: Caller, obj: Obj) -> None:
    """GET of one securable: the caller must be able to see it (docs of each `get`)."""
    if not sees(store, caller, obj):
        raise denied(
            f"User does not have USE {obj.type.value.upper()} or BROWSE on "
            f"{obj.type.value.capitalize()} '{obj.name}'."
        )


def parse(entries: Iterable[object]) -> list[tuple[str, Caller]]:
    """`(token, caller)` pairs from a callers document: a JSON list of objects with `token`,
    `name`, `role` and `groups`; ValueError naming the first bad entry."""
    out: list[tuple[str, Caller]] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("token") or not entry.get("name"):
            raise ValueError(f"caller {number}: needs a token and a name")
        groups = entry.get("groups") or []
        if not isinstance(groups, list):
            raise ValueError(f"caller {number}: groups must be a list of names")
        caller = Caller(
            str(entry["name"]), str(entry.get("role") or "user"), frozenset(map(str, groups))
        )
        out.append((str(entry["token"]), caller))
    return out


# -- workspaces ------------------------------------------------------------------------------
#
# A catalog (or credential, or location) in ISOLATED mode is reachable only from the workspaces
# bound to it (docs: "Limit catalog access to specific workspaces"): from any other one, REST
# answers "Catalog '<name>' is not accessible in current workspace" and SQL
# `[INSUFFICIENT_PERMISSIONS]`. A READ_ONLY binding lets the workspace read, never write.

READ_ONLY = "BINDING_TYPE_READ_ONLY"
_ISOLATED = ("ISOLATED", "ISOLATION_MODE_ISOLATED")


def home(store: Store, obj: Obj) -> Obj:
    """The securable whose bindings decide: a schema's or table's catalog, else `obj`."""
    if obj.type in (SecurableType.SCHEMA, SecurableType.TABLE):
        return store.objects.get((SecurableType.CATALOG, obj.parts[0]), obj)
    return obj


def reachable(store: Store, workspace: int | None, obj: Obj) -> bool:
    """Whether `obj` is reachable from `workspace` (None: a lenient host reaches everything)."""
    top = home(store, obj)
    if workspace is None or top.type not in (SecurableType.CATALOG, *_STORAGE):
        return True
    mode = top.isolation_mode if top.type is SecurableType.CATALOG else _storage_mode(top)
    return mode not in _ISOLATED or workspace in top.bindings


def require_reachable(store: Store, workspace: int | None, obj: Obj) -> None:
    if not reachable(store, workspace, obj):
        top = home(store, obj)
        kind = {SecurableType.CATALOG: "Catalog"}.get(top.type, _label(top.type))
        raise denied(f"{kind} '{top.name}' is not accessible in current workspace")


def require_writable(store: Store, workspace: int | None, obj: Obj) -> None:
    """A write under `obj`: reachable, and not through a READ_ONLY binding."""
    require_reachable(store, workspace, obj)
    top = home(store, obj)
    if workspace is not None and top.bindings.get(workspace) == READ_ONLY:
        raise denied(
            f"{_label(top.type)} '{top.name}' is bound to the current workspace as read-only: "
            "it cannot be modified from this workspace"
        )


_STORAGE = (SecurableType.STORAGE_CREDENTIAL, SecurableType.EXTERNAL_LOCATION)


def _storage_mode(obj: Obj) -> str:
    return str(obj.extra.get("isolation_mode") or "ISOLATION_MODE_OPEN")


def _label(type: SecurableType) -> str:
    return type.value.replace("_", " ").capitalize()
