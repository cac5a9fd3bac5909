"""Every waiver of the spec, indexed by the object it sits on (the waiver rules are waivers.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from govkit.diagnostics import Path
from govkit.spec import model
from govkit.spec.validated import Spec

# An object that may carry `waivers:`, as (spec file, document path).
Holder = tuple[str, Path]


@dataclass
class Posted:
    """A waiver where it is written, and whether a finding used it."""

    waiver: model.Waiver
    holder: Holder
    index: int
    used: bool = False

    @property
    def file(self) -> str:
        return self.holder[0]

    def key_path(self, key: str) -> Path:
        return (*self.holder[1], "waivers", self.index, key)


def _holders(spec: Spec) -> Iterator[tuple[Holder, tuple[model.Waiver, ...]]]:
    for declared in spec.principals.values():
        yield (declared.file, declared.path), declared.waivers
    org, org_file = spec.organisation, spec.organisation_file
    storage: list[tuple[str, str, model.StorageCredential | model.ExternalLocation]] = [
        *(("storage_credentials", n, c) for n, c in org.storage_credentials.items()),
        *(("external_locations", n, x) for n, x in org.external_locations.items()),
    ]
    for section, name, item in storage:
        yield (org_file, (section, name)), item.waivers
        yield from _grant_holders(org_file, (section, name), item.grants)
    for doc in spec.domains:
        domain = doc.domain
        yield (doc.file, ()), domain.waivers
        yield from _grant_holders(doc.file, (), domain.grants)
        for s_name, schema in domain.schemas.items():
            s_path: Path = ("schemas", s_name)
            yield (doc.file, s_path), schema.waivers
            yield from _grant_holders(doc.file, s_path, schema.grants)
            for t_name, table in schema.tables.items():
                t_path: Path = (*s_path, "tables", t_name)
                yield (doc.file, t_path), table.waivers
                yield from _grant_holders(doc.file, t_path, table.grants)
                for c_name, column in table.columns.items():
                    yield (doc.file, (*t_path, "columns", c_name)), column.waivers
            for v_name, volume in schema.volumes.items():
                v_path: Path = (*s_path, "volumes", v_name)
                yield (doc.file, v_path), volume.waivers
                yield from _grant_holders(doc.file, v_path, volume.grants)


def _grant_holders(
    file: str, path: Path, grants: tuple[model.Grant, ...]
) -> Iterator[tuple[Holder, tuple[model.Waiver, ...]]]:
    for i, grant in enumerate(grants):
        yield (file, (*path, "grants", i)), grant.waivers


class WaiverBook:
    """Every waiver of the spec, indexed by (holder, rule code)."""

    def __init__(self, spec: Spec, today: dt.date, off: Iterable[str] = ()) -> None:
        self.today = today
        self.off = frozenset(off)
        self.posted: list[Posted] = []
        self._index: dict[tuple[Holder, str], list[Posted]] = {}
        for holder, waivers in _holders(spec):
            for i, waiver in enumerate(waivers):
                posted = Posted(waiver, holder, i)
                self.posted.append(posted)
                self._index.setdefault((holder, waiver.rule), []).append(posted)

    def waives(self, code: str, holders: tuple[Holder, ...]) -> bool:
        """True when a waiver in force covers the finding; every such waiver counts as used."""
        waived = False
        for holder in holders:
            for posted in self._index.get((holder, code), ()):
                if posted.waiver.expires >= self.today:
                    posted.used = True
                    waived = True
        return waived
