"""The State document: one shape for the desired side (from the spec) and the live side.

Drift is a comparison of two values of this type. Principals and owners are written as Unity
Catalog names them: a group by display name, a user by e-mail, a service principal by its
application id.

The types are msgspec structs, so that a State file decodes straight into them: at 120k
securables that is several times faster than parsing to dicts and building objects from those,
and the decoder checks every field's type on the way (`loads`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from govkit.gc_pause import paused_gc
from govkit.privileges import SecurableType

FORMAT: Literal["govkit.state/v1"] = "govkit.state/v1"

Source = Literal["spec", "workspace", "warehouse", "file"]

# Catalogs that Databricks maintains in every metastore (docs: "system tables", the `samples`
# catalog, and the internal catalog of Lakeflow pipelines). Nobody governs them through a spec:
# a read of every catalog, and drift `--all`, leave them alone unless a spec declares one.
MAINTAINED_CATALOGS = frozenset({"system", "samples", "__databricks_internal"})


# gc=False: a securable holds strings, ints and one dict of tuples, never a cycle, so the cyclic
# collector need not track the 120k of them a large estate has.
class Securable(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """One securable with its owner and its direct grants (principal -> sorted privileges)."""

    type: SecurableType
    name: str
    owner: str | None = None
    isolation_mode: Literal["ISOLATED", "OPEN"] | None = None
    workspace_ids: tuple[int, ...] | None = None
    grants: dict[str, tuple[str, ...]] = {}
    # A catalog's managed storage root; an external location's (or external volume's) path,
    # credential and mode.
    storage_root: str | None = None
    url: str | None = None
    credential: str | None = None
    read_only: bool | None = None
    # Of `workspace_ids`, those bound BINDING_TYPE_READ_ONLY (live side; None: none read-only).
    read_only_workspaces: tuple[int, ...] | None = None
    # Governed tags (key -> value, "" for a key-only tag) on the securable and, on a table, on
    # its columns (column -> key -> value); sorted by key and column.
    tags: dict[str, str] = {}
    column_tags: dict[str, dict[str, str]] = {}

    @property
    def key(self) -> tuple[str, str]:
        """Identity on both sides of a diff."""
        return (self.type.value, self.name)


class ReadError(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Something a live read could not read, after retries."""

    securable: str
    message: str


class State(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A State document. Build it with `make_state` so that it is sorted and de-duplicated."""

    source: Source
    format: Literal["govkit.state/v1"] = FORMAT
    environment: str | None = None
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[ReadError, ...] = ()
    securables: tuple[Securable, ...] = ()

    def index(self) -> dict[tuple[str, str], Securable]:
        return {s.key: s for s in self.securables}


class _Document(State, frozen=True, forbid_unknown_fields=True):
    """A State as a file holds it, where `format` is required: a document says what it is."""

    format: Literal["govkit.state/v1"]


def normalise_grants(grants: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Principals sorted, privileges sorted and de-duplicated; principals without any dropped."""
    return {p: tuple(sorted(set(grants[p]))) for p in sorted(grants) if grants[p]}


def make_securable(
    type: SecurableType,
    name: str,
    owner: str | None,
    grants: Mapping[str, Iterable[str]],
    isolation_mode: Literal["ISOLATED", "OPEN"] | None = None,
    workspace_ids: Iterable[int] | None = None,
    storage: Storage | None = None,
    read_only_workspaces: Iterable[int] | None = None,
    tags: Mapping[str, str] | None = None,
    column_tags: Mapping[str, Mapping[str, str]] | None = None,
) -> Securable:
    """A normalised securable, built without re-validation (callers pass checked values)."""
    read_only = None if not read_only_workspaces else tuple(sorted(set(read_only_workspaces)))
    where = storage or Storage()
    return Securable(
        type=type,
        name=name,
        owner=owner,
        isolation_mode=isolation_mode,
        workspace_ids=None if workspace_ids is None else tuple(sorted(set(workspace_ids))),
        read_only_workspaces=read_only,
        grants=normalise_grants(grants),
        storage_root=where.storage_root,
        url=where.url,
        credential=where.credential,
        read_only=where.read_only,
        tags=normalise_tags(tags or {}),
        column_tags=normalise_column_tags(column_tags or {}),
    )


def normalise_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags sorted by key."""
    return {k: tags[k] for k in sorted(tags)}


def normalise_column_tags(
    columns: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, str]]:
    """Columns sorted by name, each one's tags by key; columns without tags dropped."""
    return {c: normalise_tags(columns[c]) for c in sorted(columns) if columns[c]}


@dataclass(frozen=True, slots=True)
class Storage:
    """Where a securable's data lives: the storage fields of `Securable`, all optional."""

    storage_root: str | None = None
    url: str | None = None
    credential: str | None = None
    read_only: bool | None = None

    @staticmethod
    def of(s: Securable) -> Storage:
        return Storage(s.storage_root, s.url, s.credential, s.read_only)


def sort_key(securable: Securable) -> tuple[int, str]:
    return (securable.type.order, securable.name)


def make_state(
    source: Source,
    securables: Iterable[Securable],
    environment: str | None = None,
    taken_at: str | None = None,
    errors: Iterable[ReadError] = (),
    complete: bool = True,
) -> State:
    """A State with securables in document order; any error makes it incomplete."""
    ordered = tuple(sorted(securables, key=sort_key))
    return _state(source, ordered, environment, taken_at, errors, complete)


def _state(
    source: Source,
    ordered: tuple[Securable, ...],
    environment: str | None,
    taken_at: str | None,
    errors: Iterable[ReadError],
    complete: bool,
) -> State:
    """`make_state` of securables already in document order."""
    errs = tuple(_sorted_errors(errors))
    return State(
        format=FORMAT,
        source=source,
        environment=environment,
        taken_at=taken_at,
        complete=complete and not errs,
        errors=errs,
        securables=ordered,
    )


def securable_to_dict(s: Securable) -> dict[str, Any]:
    out: dict[str, Any] = {"type": s.type.value, "name": s.name, "owner": s.owner}
    if s.isolation_mode is not None:
        out["isolation_mode"] = s.isolation_mode
    if s.workspace_ids is not None:
        out["workspace_ids"] = list(s.workspace_ids)
    if s.read_only_workspaces is not None:
        out["read_only_workspaces"] = list(s.read_only_workspaces)
    out["grants"] = {p: list(v) for p, v in s.grants.items()}
    for key in _STORAGE_KEYS:
        value = getattr(s, key)
        if value is not None:
            out[key] = value
    # Only when present: a State without tags reads as it did before tags existed.
    if s.tags:
        out["tags"] = dict(s.tags)
    if s.column_tags:
        out["column_tags"] = {c: dict(t) for c, t in s.column_tags.items()}
    return out


def state_to_dict(state: State) -> dict[str, Any]:
    out: dict[str, Any] = {"format": state.format, "source": state.source}
    if state.environment is not None:
        out["environment"] = state.environment
    if state.taken_at is not None:
        out["taken_at"] = state.taken_at
    out["complete"] = state.complete
    out["errors"] = [{"securable": e.securable, "message": e.message} for e in state.errors]
    out["securables"] = [securable_to_dict(s) for s in state.securables]
    return out


def dumps(value: State | list[State]) -> str:
    """The canonical JSON text of one document or a list of them: same value, same bytes."""
    data: Any = (
        [state_to_dict(s) for s in value] if isinstance(value, list) else state_to_dict(value)
    )
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class StateFormatError(ValueError):
    """A file that is not a State document."""


_STORAGE_KEYS = ("storage_root", "url", "credential", "read_only")


def loads(text: str | bytes) -> State:
    """Parse one State document and put it in canonical order.

    The document decodes straight into the State's types, which checks every field. What the
    decoder refuses is parsed again as plain JSON and checked from there, so that the error names
    the line and column of bad JSON, a document without its format, or the first wrong field.
    """
    with paused_gc():
        try:
            decoded: State = _decoder().decode(text)
        except (msgspec.DecodeError, UnicodeDecodeError):
            # Also what the decoder cannot read but JSON allows (UTF-16 text, NaN): checked alike.
            decoded = _checked(_parse(text))
        return _canonical(decoded)


@functools.cache
def _decoder() -> msgspec.json.Decoder[_Document]:
    # strict=False: numbers and booleans written as strings are read as such ("3001").
    return msgspec.json.Decoder(_Document, strict=False)


def _parse(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateFormatError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError as exc:  # found by python -m govkit.fuzz state
        raise StateFormatError(f"not UTF-8 text: byte {exc.start} cannot be decoded") from None
    except RecursionError:
        raise StateFormatError("not a State document: nested too deeply") from None


def _checked(raw: Any) -> State:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise StateFormatError(f'not a State document (expected "format": "{FORMAT}")')
    try:
        return msgspec.convert(raw, _Document, strict=False)
    except msgspec.ValidationError as exc:
        where, message = _located(str(exc), raw)
        raise StateFormatError(f"invalid State document at {where}: {message}") from None


# msgspec's "Expected `str`, got `int` - at `$.securables[1].name`".
_AT = re.compile(r"(?P<message>.*?)(?: - at `\$(?P<path>.*)`)?", re.DOTALL)
_PART = re.compile(r"\.([^.\[]+)|\[([^\]]*)\]")
_FIELD = re.compile(r"Object (?:contains unknown|missing required) field `(?P<name>.*)`")


def _located(error: str, raw: dict[str, Any]) -> tuple[str, str]:
    """(dotted path, message) of a validation error: `securables.1.grants.g.1`."""
    found = _AT.fullmatch(error)
    message, path = (found["message"], found["path"] or "") if found else (error, "")
    parts = [key or index for key, index in _PART.findall(path)]
    field = _FIELD.fullmatch(message)
    if field:
        parts.append(field["name"])
        message = "unknown field" if "unknown" in message else "field required"
    return ".".join(_named(parts, raw)) or "the top level", message


def _named(parts: list[str], raw: Any) -> list[str]:
    """`parts` with each "..." (msgspec's "some key of this object") replaced by the key: the
    first whose value is not a list of strings (grants is the document's only such object)."""
    out, node = [], raw
    for part in parts:
        if part == "..." and isinstance(node, dict):
            part = next((k for k, v in node.items() if not _privileges(v)), part)
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
    return out


def _privileges(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(p, str) for p in value)


def _canonical(state: State) -> State:
    """`state` in document order with normalised grants; most documents (all that `dumps`
    wrote) already are, which one pass checks without building anything."""
    securables = state.securables
    if not _canonical_and_shared(securables):
        securables = tuple(
            sorted(
                (
                    make_securable(
                        s.type,
                        s.name,
                        s.owner,
                        s.grants,
                        s.isolation_mode,
                        s.workspace_ids,
                        Storage.of(s),
                        s.read_only_workspaces,
                        s.tags,
                        s.column_tags,
                    )
                    for s in securables
                ),
                key=sort_key,
            )
        )
        _canonical_and_shared(securables)  # canonical now: this shares the grant sets
    return _state(
        state.source, securables, state.environment, state.taken_at, state.errors, state.complete
    )


_share = msgspec.structs.force_setattr


def _canonical_and_shared(securables: tuple[Securable, ...]) -> bool:
    """Whether the securables are in document order with normalised grants. On the way, equal
    grant sets become one shared dict: a schema's tables mostly carry the same set, and
    `govkit.access` answers once per shared set (it caches by the dict's identity)."""
    known: set[tuple[str, ...]] = set()  # privilege lists seen sorted, unique and not empty
    sets: dict[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, ...]]] = {}
    last_grants: object = None
    last_type: SecurableType | None = None
    last_name = ""
    for s in securables:
        kind, name = s.type, s.name
        if kind is last_type:
            if name < last_name:
                return False
        elif last_type is not None and kind.order < last_type.order:
            return False
        last_type, last_name = kind, name
        ids = s.workspace_ids
        if ids is not None and list(ids) != sorted(set(ids)):
            return False
        if (s.tags or s.column_tags) and not _canonical_tags(s):
            return False
        grants = s.grants
        if grants != last_grants:  # a new set, or one seen further back: checked once
            if not _canonical_grants(grants, known):
                return False
            last_grants = sets.setdefault(tuple(grants.items()), grants)
        if grants is not last_grants:
            _share(s, "grants", last_grants)
    return True


def _canonical_grants(grants: dict[str, tuple[str, ...]], known: set[tuple[str, ...]]) -> bool:
    principals = list(grants)
    if principals != sorted(principals):
        return False
    for privileges in grants.values():
        if privileges not in known:
            if not privileges or list(privileges) != sorted(set(privileges)):
                return False
            known.add(privileges)
    return True


def _canonical_tags(s: Securable) -> bool:
    columns = s.column_tags
    return (
        list(s.tags) == sorted(s.tags)
        and list(columns) == sorted(columns)
        and all(tags and list(tags) == sorted(tags) for tags in columns.values())
    )


def _sorted_errors(errors: Iterable[ReadError]) -> list[ReadError]:
    return sorted(errors, key=lambda e: (e.securable, e.message))


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the State document."""
    generated = msgspec.json.schema(State)
    defs = generated["$defs"]
    document = defs.pop("State")  # the root, not a definition
    schema = {"$defs": dict(sorted(defs.items())), **document}
    schema["title"] = "govkit State document"
    schema["required"] = sorted({*schema.get("required", []), "format"})
    schema["properties"]["format"] = {"const": FORMAT}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://govkit.dev/schemas/state-v1.json"
    return schema
