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
