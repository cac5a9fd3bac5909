"""The report's sections on paths to data: lineage edges and their blast radius, and access
outside Unity Catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from govkit.audit.model_base import _ROW, _Frozen
from govkit.legacy.paths import PathKind


@dataclass(frozen=True, slots=True)
class EdgeRow:
    __pydantic_config__ = _ROW

    source: str
    target: str
    last_seen: str | None
    events: int
    source_environment: str | None
    target_environment: str | None
    source_domain: str | None
    target_domain: str | None
    cross_environment: bool
    cross_domain: bool
    declared_grant: Annotated[
        bool | None,
        Field(
            description="whether a writer of the target holds a declared read grant on the "
            "source (computed for cross-environment and cross-domain edges)"
        ),
    ]


@dataclass(frozen=True, slots=True)
class TableLineage:
    __pydantic_config__ = _ROW

    table: str
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]


class BlastRadius(_Frozen):
    table: str
    downstream: int = Field(description="tables downstream, to any depth")
    depth: int
    tables: tuple[str, ...]
    owners: tuple[str, ...] = Field(description="owners of the downstream tables")


class Lineage(_Frozen):
    complete: bool
    note: str | None = None
    edges_read: int = Field(description="edges in the lineage input, all environments")
    edges: tuple[EdgeRow, ...] = Field(description="edges with an end in this environment")
    tables: tuple[TableLineage, ...]
    blast_radius: tuple[BlastRadius, ...]


class LegacyPath(_Frozen):
    """One door to data outside Unity Catalog (see govkit.legacy.paths)."""

    workspace_id: int
    kind: PathKind
    subject: str = Field(description="the instance profile, cluster or job cluster")
    owner: str = Field(
        description="its creator; `workspace admins` for an instance profile or a storage key "
        "(workspace admins manage them)"
    )
    detail: str
    used_by: tuple[str, ...] = Field(
        description="clusters, cluster policies and jobs that use an instance profile"
    )


class LegacyAccess(_Frozen):
    """Access outside Unity Catalog in the environment's workspaces; the goal is 0 paths."""

    complete: bool
    note: str | None = None
    protected: bool = Field(description="paths in a protected environment are errors")
    workspaces: tuple[int, ...] = Field(description="the environment's workspaces (spec)")
    workspaces_read: tuple[int, ...]
    paths_count: int = Field(description="the figure reported upward: access paths, goal 0")
    by_kind: dict[str, int]
    paths: tuple[LegacyPath, ...]
