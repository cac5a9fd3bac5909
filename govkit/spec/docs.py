"""docs/spec.md, the reference of the spec format, written from the models themselves.

Every key with its type, default, description and example comes from the Pydantic fields, the
same descriptions the published JSON Schema carries, so the page and an editor's hover never
disagree. `govkit schema spec --markdown` prints it; a test keeps docs/spec.md equal to it.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from govkit.privileges import DEFAULT_ACCESS_LEVELS
from govkit.spec import model

# Sections in reading order: each file kind, then the objects it holds.
SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Organisation file", model.Organisation),
    ("Environment", model.Environment),
    ("TerraformSettings", model.TerraformSettings),
    ("Backend", model.Backend),
    ("DriftSettings", model.DriftSettings),
    ("GrantExpiry", model.GrantExpiry),
    ("CodeOwners", model.CodeOwners),
    ("StorageCredential", model.StorageCredential),
    ("AzureManagedIdentity", model.AzureManagedIdentity),
    ("AwsIamRole", model.AwsIamRole),
    ("GcpServiceAccount", model.GcpServiceAccount),
    ("ExternalLocation", model.ExternalLocation),
    ("GovernedTag", model.GovernedTag),
    ("Classification", model.Classification),
    ("Principal file", model.Principals),
    ("Group", model.Group),
    ("ServicePrincipal", model.ServicePrincipal),
    ("Federation", model.Federation),
    ("User", model.User),
    ("Domain file", model.Domain),
    ("Schema", model.Schema),
    ("Table", model.Table),
    ("Volume", model.Volume),
    ("Column", model.Column),
    ("TagInEnvironments", model.TagInEnvironments),
    ("AbacPolicy", model.AbacPolicy),
    ("PolicyMatch", model.PolicyMatch),
    ("Grant", model.Grant),
    ("Waiver", model.Waiver),
)
_TITLE = {m: title for title, m in SECTIONS}

INTRO = """\
# The spec format

Every `*.yaml` file under the spec folder (`catalogs/` by default) is one of three kinds, known
by its top-level key: the **organisation file** (`version:`, exactly one), **principal files**
(`groups:`, `service_principals:`, `users:`) and **domain files** (`domain:`, one per domain).
Unknown keys are errors (GOV010), as are wrong types (GOV011), missing required keys (GOV012),
bad dates (GOV013) and domain, catalog, schema or table names with capital letters, which Unity
Catalog would store in lower case (GOV016); every problem is reported with `file:line:col`, a
code and a hint.

Editors check and complete spec files through yaml-language-server with the JSON Schema in
[`schemas/spec.json`](schemas/spec.json) (`govkit schema spec`), which carries the same
descriptions as this page. This page is written by `govkit schema spec --markdown`; change the
descriptions in `govkit/spec/model.py`, not here.
"""


def _link(m: type[BaseModel]) -> str:
    title = _TITLE[m]
    return f"[{title}](#{title.lower().replace(' ', '-')})"


def type_text(annotation: Any) -> str:
    """A readable type: `list of string`, `mapping of name to [Environment](#environment)`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0])
    if origin in (typing.Union, types.UnionType):
        kinds = [type_text(a) for a in args if a is not type(None)]
        return " or ".join(kinds) + (" or null" if type(None) in args else "")
    if origin is Literal:
        return " or ".join(f"`{a}`" for a in args)
    if origin is tuple:
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"mapping of {type_text(args[0])} to {type_text(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _link(annotation)
    names = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        dt.date: "date (YYYY-MM-DD)",
    }
    if annotation in names:
        return names[annotation]
    # A type this table does not know yet is a bug of the page, never `<class '...'>` on it.
    raise TypeError(f"no readable name for the spec type {annotation!r}; add it to type_text")


def _inline(value: Any) -> str:
    """A value as flow-style YAML on one line."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]  # no factory takes arguments here
    if value is PydanticUndefined or value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "its defaults"
    return f"`{_inline(value)}`"


def example_text(key: str, field: FieldInfo) -> str:
    if not field.examples:
        return "see its section"
    return " or ".join(f"`{key}: {_inline(e)}`" for e in field.examples)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(title: str, m: type[BaseModel]) -> list[str]:
    lines = [f"## {title}", "", (m.__doc__ or "").strip(), ""]
    lines += ["| key | type | default | description | example |", "|---|---|---|---|---|"]
    for key, field in m.model_fields.items():
        cells = [
            f"`{key}`",
            type_text(field.annotation),
            default_text(field),
            field.description or "",
            example_text(key, field),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def _levels() -> list[str]:
    lines = ["## Built-in access levels", ""]
    lines.append("`access:` expands a level to the privileges valid on each securable type; the")
    lines.append("organisation file's `access_levels` overrides and extends these:")
    lines.append("")
    for level, privileges in DEFAULT_ACCESS_LEVELS.items():
        lines.append(f"- `{level}`: {', '.join(privileges)}")
    return [*lines, ""]


def render_reference() -> str:
    """The whole of docs/spec.md."""
    lines = [INTRO]
    for title, m in SECTIONS:
        lines += _section(title, m)
    lines += _levels()
    return "\n".join(lines).rstrip("\n") + "\n"
