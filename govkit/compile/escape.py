"""Escaping for Terraform templates: every string from YAML must reach Terraform as a literal.

In Terraform JSON every string, object keys included, is a template, so `${...}` and `%{...}`
would be evaluated. Doubling the sigil (`$${`, `%%{`) makes Terraform read them back literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def escape_template(text: str) -> str:
    """`text` as a Terraform template that evaluates to exactly `text`."""
    return text.replace("${", "$${").replace("%{", "%%{")


def escape_document(value: Any) -> Any:
    """A JSON value with every string and every key escaped; other scalars unchanged."""
    if isinstance(value, str):
        return escape_template(value)
    if isinstance(value, Mapping):
        return {escape_template(str(k)): escape_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_document(v) for v in value]
    return value
