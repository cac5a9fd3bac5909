"""The compiler's values: a grant as Terraform sees it, a stack, and the compiled result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from govkit.compile.escape import escape_template
from govkit.resolve import Authority

StackKind = Literal["domain", "grants", "shared", "storage", "tags"]
# Which Databricks host a stack's provider signs in to: service principals, their workspace
# assignments and federation policies are account objects; the rest lives in a workspace.
StackHost = Literal["account", "workspace"]
SHARED = "_shared"
STORAGE = "_storage"
TAGS = "_tags"  # the account's governed tags, in `_account/_tags`
# The pseudo-environment of service principals that serve several environments.
ACCOUNT = "_account"
STACKS_FILE = "stacks.json"
MAIN_FILE = "main.tf.json"


class CompileError(Exception):
    """The spec is valid but cannot be compiled safely; each problem is one line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class GrantEntry:
    """All privileges of one principal (its Unity Catalog name) on one securable."""

    securable_type: str
    securable_name: str
    principal: str
    privileges: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.securable_type, self.securable_name, self.principal)

    @property
    def securable(self) -> tuple[str, str]:
        return (self.securable_type, self.securable_name)

    def as_json(self) -> dict[str, Any]:
        return {
            "securable_type": self.securable_type,
            "securable_name": self.securable_name,
            "principal": self.principal,
            "privileges": list(self.privileges),
        }


@dataclass(frozen=True)
class GrantSet:
    """The grants one stack owns, and how: they become the resources that the guard checks."""

    authority: Authority
    entries: tuple[GrantEntry, ...]

    def resources(self) -> list[tuple[str, tuple[str, str], str | None]]:
        """(resource type, securable, principal or None) of every grant resource emitted."""
        if self.authority == "authoritative":
            securables = sorted({e.securable for e in self.entries})
            return [("databricks_grants", s, None) for s in securables]
        return [("databricks_grant", e.securable, e.principal) for e in self.entries]


@dataclass(frozen=True)
class Stack:
    """One Terraform root module with its own state: what it holds and what it depends on."""

    id: str  # also its folder under the output folder, e.g. "prod/finance"
    environment: str
    domain: str | None
    kind: StackKind
    depends_on: tuple[str, ...]  # spec files, relative to the spec folder
    needs: tuple[str, ...]  # stacks to apply first
    document: Mapping[str, Any]  # the root module, before escaping (see render_terraform)
    resources: int
    grants: GrantSet | None = None
    creates: tuple[tuple[str, str], ...] = field(default=())  # (type, name) of securables

    @property
    def host(self) -> StackHost:
        return "account" if self.kind == "shared" else "workspace"

    @property
    def grant_resources(self) -> int:
        return len(self.grants.resources()) if self.grants is not None else 0

    def index_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.id,
            "environment": self.environment,
            "domain": self.domain,
            "kind": self.kind,
            "host": self.host,
            "depends_on": list(self.depends_on),
            "needs": list(self.needs),
            "resources": self.resources,
            "grant_resources": self.grant_resources,
        }


def _nested(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(isinstance(v, dict | list) for v in value)


def _render(value: Any, indent: str) -> str:
    # Blocks are spread over lines; a flat object (a grant with its privileges, a schema) or a
    # list of scalars stays on one line, so a diff shows one line per grant that changed.
    if isinstance(value, dict) and any(_nested(v) for v in value.values()):
        inner = indent + "  "
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_render(value[k], inner)}"
            for k in sorted(value)
        ]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _render(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def render_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, nested blocks indented, UTF-8, one final newline."""
    return (_render(value, "") + "\n").encode()


def render_terraform(document: Any) -> bytes:
    """A root module as Terraform JSON, with every string escaped for Terraform templates.

    Escaping the text is escaping every string: JSON never writes `$`, `%` or `{` as escapes,
    and outside strings its syntax has no `$` or `%`, so `${` and `%{` occur only in strings.
    """
    return escape_template(render_json(document).decode()).encode()


@dataclass(frozen=True)
class Compiled:
    stacks: tuple[Stack, ...]

    def index(self) -> dict[str, Any]:
        return {
            "format": "govkit.stacks/v1",
            "stacks": [s.index_entry() for s in self.stacks],
        }

    def files(self) -> dict[str, bytes]:
        """Every output file by its POSIX path under the output folder."""
        out = {f"{s.id}/{MAIN_FILE}": render_terraform(s.document) for s in self.stacks}
        out[STACKS_FILE] = render_json(self.index())
        return dict(sorted(out.items()))
