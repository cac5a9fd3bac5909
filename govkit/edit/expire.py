"""Grants past or near their `expires:` date, and the edit that removes the expired ones.

An entry that several environments share is one entry: it is listed once, with the
environments it reaches. An expired entry whose own waiver of GOV210 is still in force is kept
(its owner asked to keep the record), and listed as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.edit.document import Document, parse
from govkit.edit.nodes import delete_item
from govkit.edit.outline import Outline, without_lines
from govkit.pipeline import validate
from govkit.resolve import DesiredEnvironment, DesiredGrant

EXPIRED_RULE = "GOV210"


@dataclass(frozen=True)
class Expiring:
    """One grant entry past or near its expiry, in every environment it reaches."""

    file: str
    path: Path
    principal: str
    securable: str  # the first environment's, e.g. finance_prod.reporting
    securable_type: str
    privileges: tuple[str, ...]
    environments: tuple[str, ...]
    expires: dt.date
    expired: bool
    kept_by_waiver: dt.date | None
    reason: str

    @property
    def removable(self) -> bool:
        return self.expired and self.kept_by_waiver is None


def _waived_until(grant: DesiredGrant, today: dt.date) -> dt.date | None:
    dates = [w.expires for w in grant.waivers if w.rule == EXPIRED_RULE and w.expires >= today]
    return max(dates) if dates else None


def find_expiring(
    environments: tuple[DesiredEnvironment, ...], today: dt.date, within: dt.timedelta
) -> list[Expiring]:
    """Entries expired, or expiring by `today + within`, sorted by file and position in it."""
    horizon = today + within
    found: dict[tuple[str, Path], tuple[DesiredGrant, list[str], bool]] = {}
    for env in environments:
        candidates = [(g, True) for g in env.expired] + [
            (g, False) for g in env.grants if g.expires is not None and g.expires <= horizon
        ]
        for grant, expired in candidates:
            key = (grant.origin.file, grant.origin.path)
            if key not in found:
                found[key] = (grant, [], expired)
            found[key][1].append(env.name)
    out = []
    for (file, path), (grant, envs, expired) in found.items():
        assert grant.expires is not None  # only dated grants are collected
        out.append(
            Expiring(
                file,
                path,
                grant.principal,
                grant.securable,
                grant.securable_type.value,
                grant.privileges,
                tuple(envs),
                grant.expires,
                expired,
                _waived_until(grant, today) if expired else None,
                grant.reason,
            )
        )
    return sorted(out, key=lambda e: (e.file, e.path))


def _remove(doc: Document, paths: list[Path]) -> None:
    """Delete the grant entries at `paths` (each `(..., "grants", i)`), last index first."""
    for path in sorted(paths, key=lambda p: (p[:-1], p[-1]), reverse=True):
        nodes: list[Any] = [doc.data]
        for step in path[:-1]:
            nodes.append(nodes[-1][step])
        seq = nodes[-1]
        doc.check_editable(nodes, f"the grant at {'.'.join(str(p) for p in path)}")
        assert isinstance(seq, CommentedSeq)
        delete_item(seq, int(path[-1]))
        if not seq:
            owner = nodes[-2]
            assert isinstance(owner, CommentedMap)
            del owner["grants"]


def _without(file: str, text: str, paths: list[Path]) -> str:
    """`text` without the entries at `paths`: whole lines where the lists are in block style
    (every other line stays as written), else through a round-trip document."""
    outline = Outline(file, text)
    by_list: dict[Path, list[int]] = {}
    for path in paths:
        by_list.setdefault(path[:-1], []).append(int(path[-1]))
    ranges: list[tuple[int, int]] = []
    for grants_path, indexes in by_list.items():
        found = outline.removal_lines(grants_path, indexes)
        if found is None:  # a flow-style list: ruamel.yaml writes it back, or refuses
            doc = parse(file, text)
            _remove(doc, paths)
            return doc.text()
        ranges += found
    return without_lines(text, ranges)


@dataclass(frozen=True)
class Removal:
    """The files without their expired entries, or the errors that stop the edit."""

    changes: Mapping[str, tuple[str, str]]
    errors: tuple[Diagnostic, ...]


def plan_removal(
    spec_dir: str, sources: Mapping[str, bytes], items: list[Expiring], today: dt.date
) -> Removal:
    """Remove every removable entry; validate the whole result in memory before it is written."""
    by_file: dict[str, list[Path]] = {}
    for item in items:
        if item.removable:
            by_file.setdefault(item.file, []).append(item.path)
    changes: dict[str, tuple[str, str]] = {}
    for file, paths in sorted(by_file.items()):
        text = sources[file].decode("utf-8")
        changes[file] = (text, _without(file, text, paths))
    if not changes:
        return Removal({}, ())
    result = validate(
        spec_dir, today, {f: after.encode("utf-8") for f, (_, after) in changes.items()}
    )
    errors = tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
    return Removal({} if errors else changes, errors)
