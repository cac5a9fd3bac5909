"""The inputs of `govkit access` and `govkit audit`: any may be a file, to repeat answers offline.

`catalogs/recorded/` ships recorded inputs for the bundled estate; a command finds them there
when it is not told otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govkit.cli.drift import LIVE_SOURCES, _read_live_api, _read_live_file, _read_text
from govkit.cli.main import UserError
from govkit.identity.document import Identities, IdentitiesFormatError
from govkit.identity.document import loads as load_identities
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import State

RECORDED = "recorded"


def recorded(spec_dir: str, name: str) -> str | None:
    """`SPEC_DIR/recorded/NAME` when it exists: the recorded input for the bundled estate."""
    path = Path(spec_dir) / RECORDED / name
    return str(path) if path.is_file() else None


def read_state(source: str, env: DesiredEnvironment, warehouse_id: str | None) -> State:
    """The live State from the workspace, a SQL warehouse, or a State file."""
    if source in LIVE_SOURCES:
        return _read_live_api(source, env, False, warehouse_id)
    return _read_live_file(source)


def incomplete(errors: list[str]) -> str:
    """`a: reason; b: reason; ... and N more`, for the one line of an error."""
    shown = errors[:20]
    more = f"; ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
    return "; ".join(shown) + more if shown else "no details recorded"


def check_state(state: State, env: str, where: str, allow_incomplete: bool = False) -> None:
    """Refuse a live State of another environment, or an incomplete one unless allowed."""
    if state.environment is not None and state.environment != env:
        raise UserError(f"{where}: live state is of environment {state.environment!r}, not {env!r}")
    if not state.complete and not allow_incomplete:
        detail = incomplete([f"{e.securable}: {e.message}" for e in state.errors])
        raise UserError(f"{where}: live read is incomplete (could not read: {detail})")


def read_identities(source: str) -> Identities:
    """The identities document from a file (govkit.identities/v1)."""
    if source == "graph":
        raise UserError(
            "--identities graph: pull a file first (govkit identities pull --out FILE), "
            "then pass --identities FILE"
        )
    try:
        return load_identities(_read_text(source, "identities file"))
    except IdentitiesFormatError as exc:
        raise UserError(f"{source}: {exc}") from None


def labeller(spec: Spec) -> Callable[[str], str]:
    """A Unity Catalog name with the declared name beside it where they differ."""
    declared = {uc: name for name, uc in spec.uc_names.items() if uc != name}

    def label(uc_name: str) -> str:
        name = declared.get(uc_name)
        return f"{uc_name} ({name})" if name else uc_name

    return label
