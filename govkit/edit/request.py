"""`request` and `revoke` as values: the edited files, the access changed, and the verdict.

Nothing here writes. The edited text is validated in memory by the whole pipeline (load, model,
resolve, policy) with the edited file standing in for the one on disk; the command writes only
an edit whose result is valid.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ruamel.yaml.comments import CommentedMap

from govkit.diagnostics import Diagnostic, Severity
from govkit.edit.document import Document, EditRefused, empty, parse, style_of
from govkit.edit.grants import (
    GrantChange,
    Target,
    add_entry,
    chain,
    held,
    new_entry,
    renew_entry,
    revoke_entries,
)
from govkit.edit.locate import SpecMap, map_spec, parse_target
from govkit.edit.outline import Outline, Span, cut, paste, plain
from govkit.pipeline import validate
from govkit.privileges import SecurableType, expand_level, normalise
from govkit.spec.build import closest
from govkit.spec.references import access_levels


@dataclass(frozen=True)
class GrantRequest:
    """Who asks for what on which securable, in one environment, why and until when."""

    principal: str
    on: str
    env: str
    access: str | None = None
    privileges: tuple[str, ...] | None = None
    reason: str = ""
    expires: dt.date | None = None
    # Groups the principal belongs to (transitively), when an identities document says so.
    member_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edit:
    """The outcome of an edit: files to write (before, after), what changed, or why not."""

    changes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    change: GrantChange | None = None
    catalog: str = ""
    errors: tuple[Diagnostic, ...] = ()
    note: str = ""
    warnings: tuple[Diagnostic, ...] = ()  # findings on the edited file, for the requester
    notice: str = ""  # what the written edit leaves behind, in words

    @property
    def refused(self) -> bool:
        return bool(self.errors)


@dataclass
class Region:
    """The part of a domain file an edit changes: its securable's `grants:` lines, or all of it."""

    doc: Document
    nodes: list[Any]  # ruamel mappings from the region's root to the securable
    whole: str
    span: Span | None  # None: `doc` is the whole file

    def text(self) -> str:
        if self.span is None:
            return self.doc.text()
        return paste(self.whole, self.span, self.doc.text() if self.doc.data else "")


def _read(spec: SpecMap, target: Target) -> tuple[str, str]:
    display, full = spec.domains[target.domain]
    try:
        return display, full.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise EditRefused(display, "not UTF-8", "save it as UTF-8") from None


def open_region(file: str, text: str, outline: Outline, target: Target) -> Region:
    """The smallest round-trip document that holds the securable's grants."""
    span = outline.span(target)
    fragment = cut(text, span) if span is not None else None
    if span is not None and fragment is not None:
        try:
            style = style_of(text)
            doc = parse(file, fragment, style) if fragment.strip() else empty(file, style)
            return Region(doc, [doc.data], text, span)
        except EditRefused:
            pass  # the whole file is tried next, and says why when it cannot be edited either
    doc = parse(file, text)
    return Region(doc, chain(doc, target), text, None)


def _domain_environments(spec: SpecMap, outline: Outline) -> list[str]:
    wanted = plain(_environments_node(outline))
    return [e for e in spec.environments() if wanted is None or e in wanted]


def _environments_node(outline: Outline) -> Any:
    for key, value in outline.root.value:
        if getattr(key, "value", None) == "environments":
            return value
    return None


def _requested(
    request: GrantRequest, target: Target, levels: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    if request.access is not None:
        if request.access not in levels:
            raise EditRefused(
                request.on,
                f"no access level {request.access!r}",
                closest(request.access, list(levels)) or f"known: {', '.join(sorted(levels))}",
            )
        return expand_level(levels[request.access], target.type)
    return tuple(sorted({normalise(p) for p in request.privileges or ()}))


def _checked(
    spec: SpecMap, region: Region, change: GrantChange, catalog: str, today: dt.date
) -> Edit:
    return _validated(spec, region.doc.file, region.whole, region.text(), change, catalog, today)


def _validated(
    spec: SpecMap,
    file: str,
    whole: str,
    after: str,
    change: GrantChange,
    catalog: str,
    today: dt.date,
) -> Edit:
    """Validate the edited spec in memory with the pipeline; an Edit to write or a refusal.

    A grant edit in one domain can change only the findings on that domain's securables, and
    the rules on grants across domains (GOV211, GOV212) need only the principal's home domain
    (the one its name starts with), so the other domain files are left out: the same verdict
    at a fraction of the cost on a large estate.
    """
    home = _home_domains(spec, change.principal)
    overrides: dict[str, bytes | None] = {
        display: None
        for domain, (display, _) in spec.domains.items()
        if display != file and domain not in home
    }
    overrides[file] = after.encode("utf-8")
    result = validate(spec.spec_dir, today, overrides)
    errors = tuple(
        on_disk(d, whole, after) if d.file == file else d
        for d in result.diagnostics
        if d.severity is Severity.ERROR
    )
    if errors:
        return Edit(change=change, catalog=catalog, errors=errors)
    warnings = tuple(
        d for d in result.diagnostics if d.severity is Severity.WARNING and d.file == file
    )
    return Edit({file: (whole, after)}, change, catalog, warnings=warnings)


def _block(line: int, before: str, after: str) -> tuple[str, int, int] | None:
    """(kind, first line on disk, first line edited) of the diff block holding edited `line`."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, _, j1, j2 in matcher.get_opcodes():
        if j1 < line <= j2:
            return tag, i1, j1
    return None


def on_disk(diagnostic: Diagnostic, before: str, after: str) -> Diagnostic:
    """A finding on the edited text, placed in the file as it is on disk.

    A refused edit is never written, so a position in the edited text names a line that does
    not exist: a line the edit kept is given its line on disk, a line it wrote is given the
    place on disk where it would have gone, with the message saying so.
    """
    found = _block(diagnostic.line, before, after) if diagnostic.line else None
    if found is None:
        return diagnostic
    tag, i1, j1 = found
    if tag == "equal":
        return replace(diagnostic, line=diagnostic.line - j1 + i1)
    old = before.splitlines()
    line = old[i1] if i1 < len(old) else ""
    return replace(
        diagnostic,
        line=min(i1 + 1, max(len(old), 1)),
        col=len(line) - len(line.lstrip(" ")) + 1,
        message=f"{diagnostic.message}, in what the edit would write here",
    )


def written(diagnostic: Diagnostic, before: str, after: str) -> bool:
    """Whether a finding on the edited text is on a line the edit wrote."""
    found = _block(diagnostic.line, before, after) if diagnostic.line else None
    return found is not None and found[0] != "equal"


def _home_domains(spec: SpecMap, principal: str) -> set[str]:
    """Domains a principal's name may say it belongs to: `risk-analysts`, `sp-risk-etl-prod`."""
    name = principal.lower().removeprefix("sp-")
    return {
        d
        for d in spec.domains
        if name == d.lower() or name.startswith((f"{d.lower()}-", f"{d.lower()}_"))
    }


def _refuse_early(
    spec: SpecMap, outline: Outline, target: Target, request: GrantRequest, today: dt.date
) -> None:
    """What is wrong with a request before any edit: a past expiry, an environment, a reason."""
    if request.expires is not None and request.expires < today:
        raise EditRefused(
            request.on,
            f"expiry {request.expires.isoformat()} is in the past",
            "give a future date with --expires, or a duration with --for",
        )
    if request.env not in _domain_environments(spec, outline):
        raise EditRefused(outline.file, f"domain {target.domain} has no environment {request.env}")
    environment = spec.organisation.environments.get(request.env)
    if not request.reason and environment is not None and environment.protected:
        raise EditRefused(
            request.on,
            f"a request in protected environment {request.env} needs a reason",
            "give the ticket the owner approves, e.g. --reason 'FIN-1234 month-end close'",
        )


def plan_request(spec_dir: str, request: GrantRequest, today: dt.date) -> Edit:
    """The edit that grants `request`, an Edit with a note when it is already granted."""
    spec = map_spec(spec_dir)
    target = parse_target(spec, request.on, request.env)
    file, text = _read(spec, target)
    outline = Outline(file, text)
    _refuse_early(spec, outline, target, request, today)
    levels = access_levels(spec.organisation)
    wanted = _requested(request, target, levels)
    catalog = spec.catalog(target.domain, request.env)
    change = GrantChange(request.principal, wanted, request.env, target, request.expires)
    grants = outline.grants(target)
    holds = held(grants, target, request.principal, request.env, levels, today, request.expires)
    if wanted and set(wanted) <= set(holds):
        where = sorted({holds[p].label(catalog) for p in wanted})
        note = f"already granted (by its grant on {', '.join(where)}); nothing to change"
        return Edit(change=change, catalog=catalog, note=note)
    entry = new_entry(
        request.principal,
        request.access,
        wanted if request.access is None else None,
        request.env,
        request.expires,
        request.reason,
    )
    path = _missing_path(spec, outline, target, request, wanted, today)
    entries = [
        (at, new_entry(request.principal, None, p, request.env, request.expires, request.reason))
        for at, p in path
    ]
    envs = _domain_environments(spec, outline)
    after, renewed = _add_entries(file, text, [*entries, (target, entry)], envs, levels)
    granted = tuple(f"{p[0]} on {at.label(catalog)}" for at, p in path)
    change = replace(change, path=granted, renews=bool(renewed))
    edit = _validated(spec, file, text, after, change, catalog, today)
    useless = [w for w in edit.warnings if w.code == INEFFECTIVE and written(w, text, after)]
    # A grant that does nothing is refused, never written. The policy cannot see a path held
    # through a group (the spec declares no membership); the identities document can.
    if useless and not request.member_of:
        return Edit(change=change, catalog=catalog, errors=tuple(useless))
    return edit


def _add_entries(
    file: str,
    text: str,
    entries: list[tuple[Target, CommentedMap]],
    domain_envs: list[str],
    levels: Mapping[str, tuple[str, ...]],
) -> tuple[str, int]:
    """`text` with each entry added to its securable's grants, one round-trip edit each.

    An entry that renews one already there (same principal and privileges, other terms)
    updates it instead; how many did is returned with the text.
    """
    renewed = 0
    for at, entry in entries:
        region = open_region(file, text, Outline(file, text), at)
        if renew_entry(region.doc, region.nodes, at, entry, domain_envs, levels):
            renewed += 1
        else:
            add_entry(region.doc, region.nodes, at, entry)
        text = region.text()
    return text, renewed


# A grant without the USE_CATALOG / USE_SCHEMA path to it does nothing (policy GOV207).
INEFFECTIVE = "GOV207"
_NEEDS_NO_PATH = frozenset({"BROWSE"})


def _missing_path(
    spec: SpecMap,
    outline: Outline,
    target: Target,
    request: GrantRequest,
    wanted: tuple[str, ...],
    today: dt.date,
) -> list[tuple[Target, tuple[str, ...]]]:
    """USE_CATALOG / USE_SCHEMA grants the principal lacks on the way to `target`.

    Held means held directly, on the securable or above it, by the principal or by a group
    the identities document says it belongs to, until the requested expiry.
    """
    if target.type is SecurableType.CATALOG or set(wanted) <= _NEEDS_NO_PATH:
        return []
    levels = access_levels(spec.organisation)
    environment = spec.organisation.environments.get(request.env)
    protected = environment is not None and environment.protected
    deployer = environment.deployer if environment is not None else None

    def owner_of(at: Target) -> str | None:
        # In a protected environment the deployer owns every securable (DESIGN "Resolution").
        return deployer if protected else outline.owner(at)

    needs = [(Target(target.domain), "USE_CATALOG")]
    if target.table is not None or "USE_SCHEMA" not in wanted:
        needs.append((Target(target.domain, target.schema), "USE_SCHEMA"))
    holders = (request.principal, *request.member_of)
    out: list[tuple[Target, tuple[str, ...]]] = []
    for at, privilege in needs:
        grants = outline.grants(at)
        # An owner holds every privilege on what it owns (on a schema, the catalog's owner
        # also reaches it), as policy GOV207 counts it.
        owners = {owner_of(at)} | ({owner_of(Target(at.domain))} if at.schema else set())
        if not any(
            who in owners
            or privilege in held(grants, at, who, request.env, levels, today, request.expires)
            for who in holders
        ):
            out.append((at, (privilege,)))
    return out


def plan_revoke(spec_dir: str, request: GrantRequest, today: dt.date) -> Edit:
    """The edit that takes the access of `request` away (all of it without access/privileges)."""
    spec = map_spec(spec_dir)
    target = parse_target(spec, request.on, request.env)
    file, text = _read(spec, target)
    outline = Outline(file, text)
    levels = access_levels(spec.organisation)
    catalog = spec.catalog(target.domain, request.env)
    revoke = None
    if request.access is not None or request.privileges is not None:
        revoke = set(_requested(request, target, levels))
    grants = outline.grants(target)
    region = open_region(file, text, outline, target)
    removed = revoke_entries(
        region.doc,
        region.nodes,
        target,
        request.principal,
        request.env,
        revoke,
        _domain_environments(spec, outline),
        levels,
    )
    # What the principal still holds on the ancestors (the securable's own grants are edited).
    still = held([*grants[:-1], []], target, request.principal, request.env, levels, today, today)
    left = {p: at for p, at in still.items() if p in (removed if revoke is None else revoke)}
    if left:
        where = sorted({at.label(catalog) for at in left.values()})
        raise EditRefused(
            file,
            f"{request.principal} still holds {', '.join(sorted(left))} on {target.label(catalog)} "
            f"in {request.env} through its grant on {', '.join(where)}",
            f"revoke it there: --on {where[0]}",
        )
    change = GrantChange(request.principal, tuple(sorted(removed)), request.env, target)
    if not removed:
        what = f"no {', '.join(sorted(revoke))}" if revoke else "nothing"
        on = f"{target.type.value} {target.label(catalog)}"
        note = f"{request.env}: {request.principal} holds {what} on {on}; nothing to revoke"
        return Edit(change=change, catalog=catalog, note=note)
    edit = _checked(spec, region, change, catalog, today)
    nothing = f"does nothing for {request.principal} in"
    stranded = [w for w in edit.warnings if w.code == INEFFECTIVE and nothing in w.message]
    if stranded and not edit.refused:
        notice = (
            f"this leaves {len(stranded)} grant(s) to {request.principal} below "
            f"{target.label(catalog)} that lead nowhere ({INEFFECTIVE}): revoke them too, "
            "or keep the path"
        )
        edit = replace(edit, notice=notice)
    return edit
