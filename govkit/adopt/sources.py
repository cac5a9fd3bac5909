"""The inputs of an import: the live State (a reader or a file) and the directory.

Edges: they read files and call APIs. Each failure is an `ImportInputError` with one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from govkit.adopt.directory import DirectoryError, from_identities, from_scim, with_scim_ids
from govkit.adopt.principals import NO_DIRECTORY, Directory
from govkit.state import State, StateFormatError, loads

LIVE_SOURCES = ("workspace", "warehouse")


class ImportInputError(Exception):
    """A source or directory that cannot be read; the message is one line."""


def read_state(
    source: str, env: str, warehouse_id: str | None, catalogs: Sequence[str] = ()
) -> State:
    """The State to import: read live through a reader, or from a State document."""
    if source in LIVE_SOURCES:
        from govkit.live import WarehouseRequired, read_live
        from govkit.live.client import ClientConfigError

        try:
            return read_live(
                "warehouse" if source == "warehouse" else "workspace",
                environment=env,
                catalogs=catalogs,
                include_all=not catalogs,
                warehouse_id=warehouse_id,
            )
        except (ClientConfigError, WarehouseRequired) as exc:
            raise ImportInputError(str(exc)) from None
    try:
        state = loads(Path(source).read_bytes())
    except OSError as exc:
        raise ImportInputError(f"{source}: {exc.strerror or exc}") from None
    except StateFormatError as exc:
        raise ImportInputError(f"{source}: {exc}") from None
    if state.environment is not None and state.environment != env:
        raise ImportInputError(
            f"{source}: a State of environment {state.environment!r}, not {env!r}"
        )
    return state


def read_comments(catalogs: Sequence[str]) -> dict[str, str]:
    """Comments of the catalogs and their schemas (full name -> comment), through REST.

    The State document has no comments; without them the stacks would clear every comment
    on the first apply, so an import from a live source reads them too, or stops.
    """
    from govkit.live import ReaderSettings
    from govkit.live.client import ClientConfigError, make_client
    from govkit.live.resilience import ReadFailed, Retrier
    from govkit.live.rest import Rest

    wanted = set(catalogs)
    try:
        rest = Rest(make_client(), Retrier(ReaderSettings(progress=False)))
        infos = [c for c in rest.catalogs() if c.get("name") in wanted]
        for catalog in sorted(wanted):
            infos.extend(rest.schemas(catalog))
    except (ClientConfigError, ReadFailed) as exc:
        raise ImportInputError(f"could not read the comments of the catalogs: {exc}") from None
    return {
        str(i.get("full_name") or i["name"]): str(i["comment"]) for i in infos if i.get("comment")
    }


def read_account(host: str, account_id: str | None, workspaces: tuple[int, ...]) -> Directory:
    """Service principals and their workspace assignments through the account API."""
    from databricks.sdk import AccountClient

    from govkit.adopt.directory import from_account

    try:
        client = AccountClient(host=host, account_id=account_id)
        return from_account(client, workspaces)
    except ValueError as exc:
        raise ImportInputError(f"could not configure the account client: {exc}") from None
    except DirectoryError as exc:
        raise ImportInputError(str(exc)) from None


def _scim() -> Directory:
    from govkit.live.client import ClientConfigError, make_client

    try:
        return from_scim(make_client())
    except (ClientConfigError, DirectoryError) as exc:
        raise ImportInputError(str(exc)) from None


def read_directory(identities: str | None, source: str) -> Directory:
    """`--identities`: `scim`, `none` (names' shapes only), or an identities document.

    The default is SCIM for a live source and the shapes of the names for a State file.
    """
    choice = identities or ("scim" if source in LIVE_SOURCES else "none")
    if choice == "none":
        return NO_DIRECTORY
    if choice == "scim":
        return _scim()
    from govkit.identity.document import IdentitiesFormatError
    from govkit.identity.document import loads as load_identities

    try:
        doc = load_identities(Path(choice).read_bytes())
    except OSError as exc:
        raise ImportInputError(f"{choice}: {exc.strerror or exc}") from None
    except IdentitiesFormatError as exc:
        raise ImportInputError(f"{choice}: {exc}") from None
    directory = from_identities(doc, Path(choice).name)
    # A live source can also name the SCIM ids that import blocks of service principals need.
    return with_scim_ids(directory, _scim()) if source in LIVE_SOURCES else directory
