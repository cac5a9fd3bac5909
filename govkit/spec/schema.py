"""JSON Schema of the three kinds of spec file, for editors and CI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from govkit.spec.model import Domain, Organisation, Principals


def spec_json_schema() -> dict[str, Any]:
    mode: Literal["validation"] = "validation"
    models: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (Organisation, mode),
        (Principals, mode),
        (Domain, mode),
    ]
    refs, defs = models_json_schema(models, ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://govkit.dev/schemas/spec-v1.json",
        "title": "govkit spec file",
        "description": "An organisation file (version), a principal file (groups, "
        "service_principals, users) or a domain file (domain).",
        "anyOf": [refs[m] for m in models],
        **defs,
    }
