"""Unity Catalog storage endpoints: storage credentials and external locations.

What the Terraform provider's databricks_storage_credential and databricks_external_location
send and read (shared reference databricks-provider-wire.md, sections 7 and 8): create, get,
update, delete and paged lists; optional fields echoed exactly as sent.

Both have an isolation mode (`ISOLATION_MODE_OPEN` or `ISOLATION_MODE_ISOLATED`) and workspace
bindings (`ucgrants`); a list shows a caller only those it may access ("The array is limited to
only those storage credentials the caller has permission to access", `StorageCredentialsAPI.list`)
and, from a workspace, isolated ones bound elsewhere only with `include_unbound` ("Whether to
include credentials not bound to the workspace. Effective only if the user has permission to
update the credential-workspace binding").
"""

from __future__ import annotations

from typing import Any

from govkit.privileges import SecurableType
from govkit.testing import callers
from govkit.testing.http import Request, Response, Router, ok, paginate
from govkit.testing.store import ApiError, Obj

UC = "/api/2.1/unity-catalog"
NAME = "([^/]+)"
_IDENTITIES = ("aws_iam_role", "azure_managed_identity", "databricks_gcp_service_account")
_SCHEMES = ("abfss://", "s3://", "gs://", "r2://")
_MODES = ("ISOLATION_MODE_OPEN", "ISOLATION_MODE_ISOLATED")
_CREDENTIAL = SecurableType.STORAGE_CREDENTIAL
_LOCATION = SecurableType.EXTERNAL_LOCATION


def _info(req: Request, obj: Obj) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": obj.name,
        "id": obj.id,
        "owner": obj.owner,
        "metastore_id": req.store.metastore_id,
        "isolation_mode": _MODES[0],
        "read_only": bool(obj.extra.get("read_only", False)),
        "created_at": obj.created_at,
        "created_by": req.store.caller,
        "updated_at": obj.created_at,
        "updated_by": req.store.caller,
    }
    body.update({k: v for k, v in obj.extra.items() if v not in (None, "", [])})
    return body


def _identity(body: dict[str, Any]) -> dict[str, Any]:
    given = {k: dict(body[k] or {}) for k in _IDENTITIES if k in body}
    if len(given) != 1:
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", "Exactly one storage credential identity is required"
        )
    kind, value = next(iter(given.items()))
    # What Unity Catalog computes for each kind of identity.
    if kind == "aws_iam_role":
        value.setdefault("external_id", "00000000-0000-4000-8000-00000000e1d0")
        value.setdefault("unity_catalog_iam_arn", "arn:aws:iam::414351767826:role/uc-master")
    elif kind == "databricks_gcp_service_account":
        value.setdefault("email", "uc-credential@databricks-uc.iam.gserviceaccount.com")
    return {kind: value}


def _name(req: Request) -> str:
    name = req.json_body().get("name")
    if not name:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "Missing required field: name")
    return str(name)


def _service(obj: Obj) -> bool:
    return obj.extra.get("purpose") == "SERVICE"


def _list(req: Request, type: SecurableType, key: str) -> Response:
    store, caller = req.store, req.caller
    unbound = req.query.get("include_unbound", "").lower() == "true"
    with store.lock:
        infos = [
            _info(req, o)
            for o in store.of_type(type)
            # A service credential is no storage credential: the storage endpoints do not show it.
            if not _service(o)
            and callers.sees(store, caller, o)
            and (
                callers.reachable(store, req.bound_workspace, o)
                or (unbound and callers.may_bind(store, caller, o))
            )
        ]
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({key: page, **({"next_page_token": token} if token else {})})


def _update(req: Request, type: SecurableType, fields: tuple[str, ...]) -> Response:
    body = req.json_body()
    with req.store.lock:
        obj = req.store.get(type, req.params[0])
        callers.require_writable(req.store, req.bound_workspace, obj)
        callers.require_manage(req.store, req.caller, obj)
        mode = body.get("isolation_mode")
        if mode is not None and mode not in _MODES:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid isolation_mode {mode}")
        for k in (*fields, "isolation_mode"):
            if k in body:
                obj.extra[k] = body[k]
        if type is _CREDENTIAL and any(k in body for k in _IDENTITIES):
            for k in _IDENTITIES:
                obj.extra.pop(k, None)
            obj.extra.update(_identity(body))
        if body.get("owner"):
            obj.owner = str(body["owner"])
            # As a real workspace writes it: updateStorageCredential / updateExternalLocation
            # with the name in `name_arg` (Databricks audit log reference, Unity Catalog events).
            action = "updateStorageCredential" if type is _CREDENTIAL else "updateExternalLocation"
            req.store.record_audit(action, {"name_arg": obj.name, "owner": obj.owner})
        return ok(_info(req, obj))


def _visible(req: Request, type: SecurableType) -> Obj:
    obj = req.store.get(type, req.params[0])
    callers.require_reachable(req.store, req.bound_workspace, obj)
    callers.require_visible(req.store, req.caller, obj)
    return obj


def _delete(req: Request, type: SecurableType) -> Response:
    with req.store.lock:
        req.store.get(type, req.params[0])
        if type is _CREDENTIAL:
            users = [
                o.name
                for o in req.store.of_type(_LOCATION)
                if o.extra.get("credential_name") == req.params[0]
            ]
            if users and req.query.get("force") != "true":
                raise ApiError(
                    400,
                    "INVALID_STATE",
                    f"Storage credential '{req.params[0]}' is used by external locations "
                    f"{', '.join(users)}. Use force=true to delete it.",
                )
        del req.store.objects[(type, req.params[0])]
    return ok()


# -- storage credentials ---------------------------------------------------------------------


def create_credential(req: Request) -> Response:
    body = req.json_body()
    name = _name(req)
    with req.store.lock:
        obj = Obj(_CREDENTIAL, name, req.caller.name)
        obj.extra = {k: body[k] for k in ("comment", "read_only") if k in body}
        obj.extra.update(_identity(body))
        return ok(_info(req, req.store.add(obj)))


def get_credential(req: Request) -> Response:
    with req.store.lock:
        obj = _visible(req, _CREDENTIAL)
        if _service(obj):
            raise ApiError(
                404, "STORAGE_CREDENTIAL_DOES_NOT_EXIST",
                f"Storage Credential '{obj.name}' does not exist.",
            )  # fmt: skip
        return ok(_info(req, obj))


# The unified Credentials API holds storage and service credentials, told apart by `purpose`
# (Databricks REST reference, Credentials: docs.databricks.com/api/workspace/credentials).
_PURPOSES = ("STORAGE", "SERVICE")


def _credential_info(req: Request, obj: Obj) -> dict[str, Any]:
    return {**_info(req, obj), "purpose": "SERVICE" if _service(obj) else "STORAGE"}


def create_any_credential(req: Request) -> Response:
    body = req.json_body()
    name = _name(req)
    purpose = str(body.get("purpose") or "")
    if purpose not in _PURPOSES:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid purpose: {purpose!r}")
    with req.store.lock:
        obj = Obj(_CREDENTIAL, name, req.store.caller)
        obj.extra = {k: body[k] for k in ("comment", "read_only") if k in body}
        obj.extra.update(_identity(body))
        if purpose == "SERVICE":
            obj.extra["purpose"] = purpose
        return ok(_credential_info(req, req.store.add(obj)))


def list_any_credentials(req: Request) -> Response:
    wanted = req.query.get("purpose")
    with req.store.lock:
        infos = [_credential_info(req, o) for o in req.store.of_type(_CREDENTIAL)]
    infos = [i for i in infos if not wanted or i["purpose"] == wanted]
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"credentials": page, **({"next_page_token": token} if token else {})})


def get_any_credential(req: Request) -> Response:
    with req.store.lock:
        return ok(_credential_info(req, req.store.get(_CREDENTIAL, req.params[0])))


# -- external locations ----------------------------------------------------------------------


def create_location(req: Request) -> Response:
    body = req.json_body()
    name = _name(req)
    url, credential = str(body.get("url") or ""), str(body.get("credential_name") or "")
    if not url.startswith(_SCHEMES):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid url: {url!r}")
    with req.store.lock:
        req.store.get(_CREDENTIAL, credential)
        for other in req.store.of_type(_LOCATION):
            there = str(other.extra.get("url", "")).rstrip("/")
            here = url.rstrip("/")
            if here == there or here.startswith(there + "/") or there.startswith(here + "/"):
                raise ApiError(
                    400,
                    "INVALID_PARAMETER_VALUE",
                    f"Input path url '{url}' overlaps with other external location "
                    f"'{other.name}' url '{other.extra.get('url')}'",
                )
        obj = Obj(_LOCATION, name, req.caller.name)
        obj.extra = {
            k: body[k] for k in ("comment", "read_only", "url", "credential_name") if k in body
        }
        return ok(_info(req, req.store.add(obj)))


def get_location(req: Request) -> Response:
    with req.store.lock:
        return ok(_info(req, _visible(req, _LOCATION)))


def register(router: Router) -> None:
    credentials, locations = f"{UC}/storage-credentials", f"{UC}/external-locations"
    routes = [
        ("GET", f"{UC}/credentials", list_any_credentials),
        ("POST", f"{UC}/credentials", create_any_credential),
        ("GET", f"{UC}/credentials/{NAME}", get_any_credential),
        ("GET", credentials, lambda r: _list(r, _CREDENTIAL, "storage_credentials")),
        ("POST", credentials, create_credential),
        ("GET", f"{credentials}/{NAME}", get_credential),
        (
            "PATCH",
            f"{credentials}/{NAME}",
            lambda r: _update(r, _CREDENTIAL, ("comment", "read_only")),
        ),
        ("DELETE", f"{credentials}/{NAME}", lambda r: _delete(r, _CREDENTIAL)),
        ("GET", locations, lambda r: _list(r, _LOCATION, "external_locations")),
        ("POST", locations, create_location),
        ("GET", f"{locations}/{NAME}", get_location),
        (
            "PATCH",
            f"{locations}/{NAME}",
            lambda r: _update(r, _LOCATION, ("comment", "read_only", "url", "credential_name")),
        ),
        ("DELETE", f"{locations}/{NAME}", lambda r: _delete(r, _LOCATION)),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, handler)
