"""The State document: one shape for the desired side (from the spec) and the live side.

Drift is a comparison of two values of this type. Principals and owners are written as Unity
Catalog names them: a group by display name, a user by e-mail, a service principal by its
application id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govkit.privileges import SecurableType

FORMAT: Literal["govkit.state/v1"] = "govkit.state/v1"

Source = Literal["spec", "workspace", "warehouse", "file"]


class Securable(BaseModel):
    """One securable with its owner and its direct grants (principal -> sorted privileges)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: SecurableType
    name: str
    owner: str | None = None
    isolation_mode: Literal["ISOLATED", "OPEN"] | None = None
    workspace_ids: tuple[int, ...] | None = None
    grants: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Identity on both sides of a diff."""
        return (self.type.value, self.name)


class ReadError(BaseModel):
    """Something a live read could not read, after retries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    securable: str
    message: str


class State(BaseModel):
    """A State document. Build it with `make_state` so that it is sorted and de-duplicated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["govkit.state/v1"] = FORMAT
    source: Source
    environment: str | None = None
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[ReadError, ...] = ()
    securables: tuple[Securable, ...] = ()

    def index(self) -> dict[tuple[str, str], Securable]:
        return {s.key: s for s in self.securables}


def normalise_grants(grants: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Principals sorted, privileges sorted and de-duplicated; principals without any dropped."""
    out: dict[str, tuple[str, ...]] = {}
    for principal in sorted(grants):
        privileges = tuple(sorted(set(grants[principal])))
        if privileges:
            out[principal] = privileges
    return out


def make_securable(
    type: SecurableType,
    name: str,
    owner: str | None,
    grants: Mapping[str, Iterable[str]],
    isolation_mode: Literal["ISOLATED", "OPEN"] | None = None,
    workspace_ids: Iterable[int] | None = None,
) -> Securable:
    """A normalised securable, built without re-validation (callers pass checked values)."""
    return Securable.model_construct(
        type=type,
        name=name,
        owner=owner,
        isolation_mode=isolation_mode,
        workspace_ids=None if workspace_ids is None else tuple(sorted(set(workspace_ids))),
        grants=normalise_grants(grants),
    )


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
    errs = tuple(sorted(errors, key=lambda e: (e.securable, e.message)))
    return State.model_construct(
        format=FORMAT,
        source=source,
        environment=environment,
        taken_at=taken_at,
        complete=complete and not errs,
        errors=errs,
        securables=tuple(sorted(securables, key=sort_key)),
    )


def securable_to_dict(s: Securable) -> dict[str, Any]:
    out: dict[str, Any] = {"type": s.type.value, "name": s.name, "owner": s.owner}
    if s.isolation_mode is not None:
        out["isolation_mode"] = s.isolation_mode
    if s.workspace_ids is not None:
        out["workspace_ids"] = list(s.workspace_ids)
    out["grants"] = {p: list(v) for p, v in s.grants.items()}
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


def loads(text: str) -> State:
    """Parse one State document and put it in canonical order."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateFormatError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise StateFormatError(f'not a State document (expected "format": "{FORMAT}")')
    try:
        state = State.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StateFormatError(f"invalid State document at {where}: {first['msg']}") from None
    return make_state(
        state.source,
        (
            make_securable(s.type, s.name, s.owner, s.grants, s.isolation_mode, s.workspace_ids)
            for s in state.securables
        ),
        environment=state.environment,
        taken_at=state.taken_at,
        errors=state.errors,
        complete=state.complete,
    )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the State document."""
    schema = State.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://govkit.dev/schemas/state-v1.json"
    return schema
