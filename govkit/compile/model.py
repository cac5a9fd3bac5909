"""The compiler's values: a grant as Terraform sees it, a stack, and the compiled result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from govkit.resolve import Authority

StackKind = Literal["domain", "grants", "shared"]
SHARED = "_shared"
# The pseudo-environment of service principals that serve several environments.
ACCOUNT = "_account"
STACKS_FILE = "stacks.json"
MAIN_FILE = "main.tf.json"


class CompileError(Exception):
    """The spec is valid but cannot be compiled safely; each problem is one line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, order=True)
class GrantEntry:
    """All privileges of one principal (its Unity Catalog name) on one securable."""

    securable_type: str
    securable_name: str
    principal: str
    privileges: tuple[str, ...]

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
    document: Mapping[str, Any]  # the root module, already escaped
    resources: int
    grants: GrantSet | None = None
    creates: tuple[tuple[str, str], ...] = field(default=())  # (type, name) of securables

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
            "depends_on": list(self.depends_on),
            "needs": list(self.needs),
            "resources": self.resources,
            "grant_resources": self.grant_resources,
        }


def render_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, one final newline."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


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
        out = {f"{s.id}/{MAIN_FILE}": render_json(s.document) for s in self.stacks}
        out[STACKS_FILE] = render_json(self.index())
        return dict(sorted(out.items()))
