"""A securable's live grants as spec grant entries: an access level where one equals the
privileges exactly, the privileges otherwise; what the spec cannot hold is set aside."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govkit.adopt.principals import Principal
from govkit.privileges import LEGACY, PRIVILEGES, SecurableType, expand_level, normalise


@dataclass(frozen=True)
class Unmanaged:
    """One principal's grants on one securable that the spec cannot hold, and why."""

    principal: str
    privileges: tuple[str, ...]
    why: str


@dataclass
class Collapsed:
    entries: list[dict[str, Any]] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    respelled: list[tuple[str, str]] = field(default_factory=list)  # (as read, as written)


class Levels:
    """Access levels by the exact privileges they expand to on each securable type."""

    def __init__(self, levels: Mapping[str, tuple[str, ...]]) -> None:
        self._by_type: dict[SecurableType, dict[tuple[str, ...], str]] = {}
        for t in SecurableType:
            exact: dict[tuple[str, ...], str] = {}
            for name, privileges in levels.items():
                expanded = expand_level(privileges, t)
                if expanded:
                    exact.setdefault(expanded, name)
            self._by_type[t] = exact

    def name(self, on: SecurableType, privileges: tuple[str, ...]) -> str | None:
        return self._by_type[on].get(privileges)


def _why_not(privilege: str, on: SecurableType) -> str:
    if privilege in LEGACY:
        return f"legacy privilege {privilege} (today: {LEGACY[privilege]})"
    if privilege not in PRIVILEGES[on]:
        return f"{privilege} is not a privilege the spec knows on a {on.value}"
    return ""


def collapse(
    on: SecurableType,
    grants: Mapping[str, tuple[str, ...]],
    principals: Mapping[str, Principal],
    levels: Levels,
) -> Collapsed:
    """Spec entries for `grants` (Unity Catalog principal -> privileges as read)."""
    out = Collapsed()
    for uc_name, raw in grants.items():
        privileges = tuple(sorted({normalise(p) for p in raw}))
        out.respelled.extend((p, normalise(p)) for p in raw if p != normalise(p))
        reasons = [r for r in (_why_not(p, on) for p in privileges) if r]
        if reasons:
            out.unmanaged.append(Unmanaged(uc_name, tuple(raw), "; ".join(reasons)))
            continue
        key = principals[uc_name].key
        level = levels.name(on, privileges)
        entry: dict[str, Any] = {"principal": key}
        if level is not None:
            entry["access"] = level
        else:
            entry["privileges"] = list(privileges)
        out.entries.append(entry)
    out.entries.sort(key=lambda e: str(e["principal"]))
    return out
