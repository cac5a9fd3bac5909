"""Checks on a live State before drift trusts it: fail closed on partial or foreign data."""

from __future__ import annotations

from govkit.state import State

# How many unreadable securables an error message lists before it says "and N more".
MAX_LISTED = 20


class LiveStateError(ValueError):
    """A live State that drift must not compare: incomplete, or of another environment."""


def check_live(live: State, environment: str, where: str) -> None:
    """Raise unless `live` is a complete read of `environment` (or of the whole metastore)."""
    if live.environment is not None and live.environment != environment:
        raise LiveStateError(
            f"{where}: live state is of environment {live.environment!r}, not {environment!r}"
        )
    if not live.complete or live.errors:
        listed = [f"{e.securable}: {e.message}" for e in live.errors[:MAX_LISTED]]
        more = len(live.errors) - len(listed)
        if more > 0:
            listed.append(f"... and {more} more")
        detail = "; ".join(listed) if listed else "no details recorded"
        raise LiveStateError(
            f"{where}: live read is incomplete, drift not checked (could not read: {detail})"
        )
