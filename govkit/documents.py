"""What govkit's JSON input documents (identities, lineage, legacy access) share: JSON read with
a located error, the format check, validation that names the first wrong field, and the
published JSON Schema."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")


def parse_json(text: str | bytes, error: type[ValueError]) -> Any:
    """`text` as JSON, or `error("not JSON at line L column C")`."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f" at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise error(f"not JSON{where}") from None


def require_format(raw: Any, format: str, what: str, error: type[ValueError]) -> dict[str, Any]:
    """`raw` when it is an object of `format`; `what` names the document ("a lineage document")."""
    if not isinstance(raw, dict) or raw.get("format") != format:
        raise error(f'not {what} (expected "format": "{format}")')
    return raw


def validate(
    adapter: TypeAdapter[T], raw: Any, what: str, error: type[ValueError], **options: Any
) -> T:
    """`raw` validated, or `error("invalid <what> at <field path>: <message>")`."""
    try:
        return adapter.validate_python(raw, **options)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise error(f"invalid {what} at {where}: {first['msg']}") from None


def published_schema(adapter: TypeAdapter[Any], name: str) -> dict[str, Any]:
    """The document's JSON Schema with `format` required, as published under `name`."""
    schema = adapter.json_schema()
    schema["required"] = sorted({*schema.get("required", []), "format"})
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://govkit.dev/schemas/{name}-v1.json"
    return schema
