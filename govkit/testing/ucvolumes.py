"""Unity Catalog REST endpoints for volumes (`/api/2.1/unity-catalog/volumes`).

The paths, query fields and bodies are those of databricks-sdk's `VolumesAPI` (create, list,
read, update, delete in `databricks/sdk/service/catalog.py`), which the Terraform provider's
`databricks_volume` calls: create, then an update when an owner is set, read by full name,
delete. Grants on a volume go through the permissions routes (`ucgrants`), with the
securable type `volume`. An external volume's path must lie in an external location and a
managed volume takes none ("Create and manage volumes", Databricks docs, volumes/utility-
commands; "How do paths work for data managed by Unity Catalog?").
"""

from __future__ import annotations

from typing import Any

from govkit.privileges import SecurableType
from govkit.testing import callers
from govkit.testing.http import Request, Response, Router, ok, paginate
from govkit.testing.store import ApiError, Obj
from govkit.testing.ucapi import (
    NAME,
    UC,
    _required,
    delete_leaf,
    get_leaf,
    leaf_names,
    update_leaf,
    visible,
)

_TYPES = ("MANAGED", "EXTERNAL")


def volume_info(req: Request, obj: Obj) -> dict[str, Any]:
    return {**leaf_names(req, obj), "volume_id": obj.id}


def _in_a_location(req: Request, url: str) -> bool:
    inside = url.rstrip("/") + "/"
    return any(
        inside.startswith(str(loc.extra.get("url", "")).rstrip("/") + "/")
        for loc in req.store.of_type(SecurableType.EXTERNAL_LOCATION)
    )


def _overlaps(req: Request, url: str) -> str | None:
    mine = url.rstrip("/") + "/"
    for other in req.store.of_type(SecurableType.VOLUME):
        theirs = str(other.extra.get("storage_location", "")).rstrip("/") + "/"
        if theirs != "/" and (mine.startswith(theirs) or theirs.startswith(mine)):
            return other.name
    return None


def _checked_location(req: Request, volume_type: str, location: str | None) -> None:
    if volume_type not in _TYPES:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid volume_type {volume_type!r}")
    if volume_type == "MANAGED":
        if location:
            raise ApiError(
                400, "INVALID_PARAMETER_VALUE", "A managed volume cannot have a storage_location"
            )
        return
    if not location:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "Missing required field: storage_location")
    if not _in_a_location(req, location):
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", f"No external location contains {location!r}"
        )
    other = _overlaps(req, location)
    if other is not None:
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", f"{location!r} overlaps the volume {other!r}"
        )


def create_volume(req: Request) -> Response:
    body = req.json_body()
    catalog, schema = _required(req, "catalog_name"), _required(req, "schema_name")
    name, volume_type = _required(req, "name"), _required(req, "volume_type")
    location = body.get("storage_location")
    with req.store.lock:
        parent = req.store.get(SecurableType.SCHEMA, f"{catalog}.{schema}")
        callers.require_writable(req.store, req.bound_workspace, parent)
        _checked_location(req, volume_type, location)
        obj = Obj(SecurableType.VOLUME, f"{parent.name}.{name}", req.caller.name)
        req.store.add(obj)
        obj.extra = {"volume_type": volume_type}
        obj.extra |= {k: body[k] for k in ("comment", "storage_location") if body.get(k)}
        return ok(volume_info(req, obj))


def list_volumes(req: Request) -> Response:
    catalog, schema = _required(req, "catalog_name"), _required(req, "schema_name")
    store = req.store
    with store.lock:
        parent = visible(req, SecurableType.SCHEMA, f"{catalog}.{schema}")
        infos = [
            volume_info(req, o)
            for o in store.children(SecurableType.VOLUME, parent.name)
            if callers.lists_table(store, req.caller, o, needs="READ_VOLUME")
        ]
    page, token = paginate(req, infos, lambda i: str(i["name"]))
    return ok({"volumes": page, **({"next_page_token": token} if token else {})})


get_volume = get_leaf(SecurableType.VOLUME, volume_info)
update_volume = update_leaf(SecurableType.VOLUME, volume_info, "updateVolume")
delete_volume = delete_leaf(SecurableType.VOLUME)


def register(router: Router) -> None:
    router.add("GET", f"{UC}/volumes", list_volumes)
    router.add("POST", f"{UC}/volumes", create_volume)
    router.add("GET", f"{UC}/volumes/{NAME}", get_volume)
    router.add("PATCH", f"{UC}/volumes/{NAME}", update_volume)
    router.add("DELETE", f"{UC}/volumes/{NAME}", delete_volume)
