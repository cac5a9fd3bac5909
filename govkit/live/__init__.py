"""Live state: the metastore as a State document, read through REST or a SQL warehouse.

databricks-sdk is imported only when a read starts, never when govkit is imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from govkit.live.settings import ReaderSettings
from govkit.state import State, make_state

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

__all__ = ["ReaderSettings", "read_live"]

LiveSource = Literal["workspace", "warehouse"]


class WarehouseRequired(ValueError):
    """The warehouse reader was asked for without a warehouse id."""


def read_live(
    source: LiveSource,
    *,
    environment: str,
    catalogs: Sequence[str],
    storage: Collection[tuple[str, str]] = (),
    include_all: bool = False,
    warehouse_id: str | None = None,
    client: WorkspaceClient | None = None,
    settings: ReaderSettings | None = None,
    hosts: Mapping[int, str] | None = None,
) -> State:
    """Snapshot the catalogs in scope (the declared ones; every visible one with `include_all`)
    and the storage credentials and external locations in `storage`, by `Securable.key`
    (type, name) since the two have names of their own (all with `include_all`).

    `source="workspace"` reads through REST; `"warehouse"` runs SQL over
    `system.information_schema` on `warehouse_id`. Whatever could not be read after retries is
    named in `errors` and makes the State `complete: false`, as is whatever the identity the
    read runs as cannot see whole (`identity`). `hosts` (workspace id -> URL) are the hosts of
    other workspaces, through which the catalogs isolated to them are read.
    """
    from govkit.live.client import bounded, make_client

    s = settings or ReaderSettings()
    if source == "warehouse" and not warehouse_id:
        raise WarehouseRequired("the warehouse reader needs a SQL warehouse id (--warehouse-id)")
    api = bounded(client) if client is not None else make_client(s)
    taken_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if source == "warehouse":
        from govkit.live.warehouse import WarehouseReader

        assert warehouse_id is not None  # checked above
        out = WarehouseReader(api, warehouse_id, s).read(catalogs, include_all, storage)
    else:
        from govkit.live.workspace import WorkspaceReader

        out = WorkspaceReader(api, s, hosts).read(catalogs, include_all, storage)
    return make_state(
        source, out.securables, environment=environment, taken_at=taken_at, errors=out.errors
    )
