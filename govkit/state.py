"""The State document: one shape for the desired side (from the spec) and the live side.

Drift is a comparison of two values of this type. Principals and owners are written as Unity
Catalog names them: a group by display name, a user by e-mail, a service principal by its
application id.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError

from govkit.gc_pause import paused_gc
from govkit.privileges import SecurableType

FORMAT: Literal["govkit.state/v1"] = "govkit.state/v1"

Source = Literal["spec", "workspace", "warehouse", "file"]


@dataclass(frozen=True, slots=True)
class Securable:
    """One securable with its owner and its direct grants (principal -> sorted privileges)."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    type: SecurableType
    name: str
    owner: str | None = None
    isolation_mode: Literal["ISOLATED", "OPEN"] | None = None
    workspace_ids: tuple[int, ...] | None = None
    grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A catalog's managed storage root; an external location's path, credential and mode.
    storage_root: str | None = None
    url: str | None = None
    credential: str | None = None
    read_only: bool | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Identity on both sides of a diff."""
        return (self.type.value, self.name)


@dataclass(frozen=True, slots=True)
class ReadError:
    """Something a live read could not read, after retries."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    securable: str
    message: str


@dataclass(frozen=True, slots=True)
class State:
    """A State document. Build it with `make_state` so that it is sorted and de-duplicated."""

    __pydantic_config__ = ConfigDict(extra="forbid", title="govkit State document")

    source: Source
    format: Literal["govkit.state/v1"] = FORMAT
    environment: str | None = None
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[ReadError, ...] = ()
    securables: tuple[Securable, ...] = ()

    def index(self) -> dict[tuple[str, str], Securable]:
        return {s.key: s for s in self.securables}


@functools.cache
def _adapter() -> TypeAdapter[State]:
    # Built on first use: `govkit validate` never reads a State document.
    return TypeAdapter(State)


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
) -> Securable:
    """A normalised securable, built without re-validation (callers pass checked values)."""
    where = storage or Storage()
    return Securable(
        type=type,
        name=name,
        owner=owner,
        isolation_mode=isolation_mode,
        workspace_ids=None if workspace_ids is None else tuple(sorted(set(workspace_ids))),
        grants=normalise_grants(grants),
        storage_root=where.storage_root,
        url=where.url,
        credential=where.credential,
        read_only=where.read_only,
    )


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
    errs = tuple(sorted(errors, key=lambda e: (e.securable, e.message)))
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
    out["grants"] = {p: list(v) for p, v in s.grants.items()}
    for key in _STORAGE_KEYS:
        value = getattr(s, key)
        if value is not None:
            out[key] = value
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


# The fast path of `loads`: a document of plain, exactly typed values (what `dumps` writes) is
# checked here by hand, several times faster than the validator at 100k securables. Anything
# else (coercible or wrong values) returns None and goes through the validator, so that bad input
# gets the same checks and the same messages.
_TYPES = {t.value: (t, t.order) for t in SecurableType}
_STATE_KEYS = frozenset(
    {"format", "source", "environment", "taken_at", "complete", "errors", "securables"}
)
_STORAGE_KEYS = ("storage_root", "url", "credential", "read_only")
_SECURABLE_KEYS = frozenset(
    {"type", "name", "owner", "isolation_mode", "workspace_ids", "grants", *_STORAGE_KEYS}
)
_SOURCES = frozenset({"spec", "workspace", "warehouse", "file"})
_ISOLATION = (None, "ISOLATED", "OPEN")


_new = object.__new__
_set_type, _set_name, _set_owner, _set_isolation, _set_workspaces, _set_grants = (
    Securable.__dict__[f].__set__
    for f in ("type", "name", "owner", "isolation_mode", "workspace_ids", "grants")
)
_set_root, _set_url, _set_credential, _set_read_only = (
    Securable.__dict__[f].__set__ for f in _STORAGE_KEYS
)


def _plain_grants(
    raw: Any, cache: dict[tuple[Any, ...], tuple[str, ...]]
) -> dict[str, tuple[str, ...]] | None:
    if type(raw) is not dict:
        return None
    out: dict[str, tuple[str, ...]] = {}
    for principal in sorted(raw):
        listed = raw[principal]
        if type(listed) is not list:
            return None
        key = tuple(listed)
        # Privilege lists repeat across securables: normalise each once and share the tuple.
        privileges = cache.get(key)
        if privileges is None:
            if any(type(p) is not str for p in listed):
                return None
            privileges = cache[key] = tuple(sorted(set(listed)))
        if privileges:
            out[principal] = privileges
    return out


_NOTHING = object()  # equal to no value of a document


@dataclass(slots=True)
class _Shared:
    """What repeats across the securables of one document, normalised once."""

    dumps: Callable[[Any], bytes]
    privileges: dict[tuple[Any, ...], tuple[str, ...]] = field(default_factory=dict)
    grants: dict[bytes, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # The previous securable's grants, as read and as normalised: neighbours (the tables of a
    # schema) mostly carry the same set, and comparing two dicts is cheaper than keying one.
    last_raw: Any = _NOTHING
    last_grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Whether the securables so far are in document order (what `dumps` writes), so that the
    # usual document needs no sort; and the sort key of the last one.
    ordered: bool = True
    last_key: tuple[int, str] = (-1, "")


def _plain_securable(raw: Any, shared: _Shared) -> Securable | None:
    if type(raw) is not dict or not raw.keys() <= _SECURABLE_KEYS:
        return None
    get = raw.get
    type_name, name, owner = get("type"), get("name"), get("owner")
    found = _TYPES.get(type_name) if type(type_name) is str else None
    if found is None or type(name) is not str or (owner is not None and type(owner) is not str):
        return None
    kind, order = found
    key = (order, name)
    if key < shared.last_key:
        shared.ordered = False
    shared.last_key = key
    isolation, workspaces = get("isolation_mode"), get("workspace_ids")
    if isolation is not None and isolation not in _ISOLATION:
        return None
    if workspaces is not None:
        if type(workspaces) is not list or any(type(w) is not int for w in workspaces):
            return None
        workspaces = tuple(sorted(set(workspaces)))
    raw_grants = get("grants", {})
    # Equal to the last set, which passed the checks: so of the same plain types.
    grants = (
        shared.last_grants if raw_grants == shared.last_raw else _shared_grants(raw_grants, shared)
    )
    if grants is None:
        return None
    # The frozen dataclass __init__ sets each field through object.__setattr__; the slot
    # descriptors do the same work in C, twice as fast over 100k securables.
    securable: Securable = _new(Securable)
    _set_type(securable, kind)
    _set_name(securable, name)
    _set_owner(securable, owner)
    _set_isolation(securable, isolation)
    _set_workspaces(securable, workspaces)
    _set_grants(securable, grants)
    root, url, credential = get("storage_root"), get("url"), get("credential")
    read_only = get("read_only")
    if root is not None or url is not None or credential is not None or read_only is not None:
        texts = (root, url, credential)
        if any(v is not None and type(v) is not str for v in texts) or (
            read_only is not None and type(read_only) is not bool
        ):
            return None
    _set_root(securable, root)
    _set_url(securable, url)
    _set_credential(securable, credential)
    _set_read_only(securable, read_only)
    return securable


def _shared_grants(raw: Any, shared: _Shared) -> dict[str, tuple[str, ...]] | None:
    # Whole grant sets repeat across securables (an access level on every table of a schema):
    # normalise each distinct set once and share it, keyed by its JSON text.
    text = shared.dumps(raw)
    grants = shared.grants.get(text)
    if grants is None:
        grants = _plain_grants(raw, shared.privileges)
        if grants is None:
            return None
        shared.grants[text] = grants
    shared.last_raw, shared.last_grants = raw, grants
    return grants


def _plain_state(raw: dict[str, Any]) -> State | None:
    source = raw.get("source")
    # A list or an object as `source` cannot be looked up in a set (found by govkit.fuzz).
    if not raw.keys() <= _STATE_KEYS or type(source) is not str or source not in _SOURCES:
        return None
    environment, taken_at = raw.get("environment"), raw.get("taken_at")
    complete, errors = raw.get("complete", True), raw.get("errors", [])
    securables = raw.get("securables", [])
    if any(v is not None and type(v) is not str for v in (environment, taken_at)):
        return None
    if type(complete) is not bool or type(errors) is not list or type(securables) is not list:
        return None
    read_errors = []
    for e in errors:
        if type(e) is not dict or e.keys() != {"securable", "message"}:
            return None
        if type(e["securable"]) is not str or type(e["message"]) is not str:
            return None
        read_errors.append(ReadError(e["securable"], e["message"]))
    shared = _Shared(_orjson().dumps)
    built = []
    for s in securables:
        securable = _plain_securable(s, shared)
        if securable is None:
            return None
        built.append(securable)
    ordered = tuple(built) if shared.ordered else tuple(sorted(built, key=sort_key))
    return _state(raw["source"], ordered, environment, taken_at, read_errors, complete)


@functools.cache
def _orjson() -> Any:
    import orjson  # only commands that read State documents pay for it

    return orjson


def loads(text: str | bytes) -> State:
    """Parse one State document and put it in canonical order."""
    with paused_gc():
        return _loads(text)


def _loads(text: str | bytes) -> State:
    orjson = _orjson()
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson is fast but terse; the standard parser names the line and column.
        raw = _stdlib_loads(text)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise StateFormatError(f'not a State document (expected "format": "{FORMAT}")')
    return _from_raw(raw)


def _stdlib_loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateFormatError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError as exc:  # found by python -m govkit.fuzz state
        raise StateFormatError(f"not UTF-8 text: byte {exc.start} cannot be decoded") from None


def _from_raw(raw: dict[str, Any]) -> State:
    trusted = _plain_state(raw)
    if trusted is not None:
        return trusted
    try:
        state = _adapter().validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StateFormatError(f"invalid State document at {where}: {first['msg']}") from None
    return make_state(
        state.source,
        (
            make_securable(
                s.type,
                s.name,
                s.owner,
                s.grants,
                s.isolation_mode,
                s.workspace_ids,
                Storage.of(s),
            )
            for s in state.securables
        ),
        environment=state.environment,
        taken_at=state.taken_at,
        errors=state.errors,
        complete=state.complete,
    )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the State document."""
    schema = _adapter().json_schema()
    # `format` has a default in Python, but a document must say what it is.
    schema["required"] = sorted({*schema.get("required", []), "format"})
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://govkit.dev/schemas/state-v1.json"
    return schema
