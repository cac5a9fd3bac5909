"""The legacy-access document (`govkit.legacy-access/v1`): the compute of one environment's
workspaces that can read data without a Unity Catalog grant, as the workspace APIs list it.

Per workspace: the instance profiles registered there, every cluster (its access mode, instance
profile and the spark conf flags of Hive metastore table access control), every cluster policy
(the instance profiles it sets or allows) and every job (the clusters its job clusters and tasks
start). Fields keep the API's names. Lists are sorted by their key; a workspace that could not be
read is named in `errors` and is absent from `workspaces`, and the document is then incomplete.
What counts as an access path is decided downstream (`govkit.legacy.paths`), not here.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from pydantic import ConfigDict, TypeAdapter

from govkit.documents import parse_json, published_schema, require_format, validate

FORMAT: Literal["govkit.legacy-access/v1"] = "govkit.legacy-access/v1"

LegacySource = Literal["workspace", "file"]

# The spark conf keys that switch on Hive metastore table access control on a cluster.
TABLE_ACL_FLAGS = ("spark.databricks.acl.dff.enabled", "spark.databricks.acl.sqlOnly")
# Spark conf keys that hand a cluster a storage credential of its own for Azure storage (ABFS
# and WASB): a storage account key, a service principal's client secret, a SAS token. As cluster
# configuration they may carry the `spark.hadoop.` prefix. A document keeps these and the flags
# above; the rest of a cluster's conf is none of the audit's business.
STORAGE_KEY_PREFIXES = (
    "fs.azure.account.key",
    "fs.azure.account.oauth2.client.secret",
    "fs.azure.sas",
)
_NOT_A_SECRET = ("fs.azure.sas.token.provider",)  # a class name
HADOOP = "spark.hadoop."
# A value that names a secret instead of holding one: `{{secrets/scope/key}}`.
_SECRET_REFERENCE = re.compile(r"\{\{secrets/[^/{}]+/[^/{}]+\}\}")
REDACTED = "<redacted>"

_CONFIG = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class InstanceProfile:
    """An instance profile registered in the workspace: an IAM role clusters can take on."""

    __pydantic_config__ = _CONFIG

    instance_profile_arn: str
    iam_role_arn: str | None = None
    is_meta_instance_profile: bool = False


@dataclass(frozen=True, slots=True)
class Cluster:
    """A cluster as `clusters/list` returns it (only the fields that decide its data access)."""

    __pydantic_config__ = _CONFIG

    cluster_id: str
    cluster_name: str | None = None
    creator_user_name: str | None = None
    single_user_name: str | None = None
    data_security_mode: str | None = None
    instance_profile_arn: str | None = None
    policy_id: str | None = None
    cluster_source: str | None = None
    spark_conf: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClusterPolicy:
    """A cluster policy and the instance profiles its definition fixes or allows."""

    __pydantic_config__ = _CONFIG

    policy_id: str
    name: str | None = None
    creator_user_name: str | None = None
    instance_profile_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JobCluster:
    """A cluster a job starts: one of its `job_clusters` or a task's `new_cluster`."""

    __pydantic_config__ = _CONFIG

    kind: Literal["job_cluster", "task"]
    key: str  # job_cluster_key or task_key
    data_security_mode: str | None = None
    instance_profile_arn: str | None = None
    spark_conf: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Job:
    """A job and the clusters it starts (tasks on existing clusters are the clusters' own)."""

    __pydantic_config__ = _CONFIG

    job_id: int
    name: str | None = None
    creator_user_name: str | None = None
    clusters: tuple[JobCluster, ...] = ()


@dataclass(frozen=True, slots=True)
class Workspace:
    """What one workspace lists."""

    __pydantic_config__ = _CONFIG

    workspace_id: int
    instance_profiles: tuple[InstanceProfile, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    cluster_policies: tuple[ClusterPolicy, ...] = ()
    jobs: tuple[Job, ...] = ()


@dataclass(frozen=True, slots=True)
class LegacyError:
    """A workspace (or part of one) that could not be read, after retries."""

    __pydantic_config__ = _CONFIG

    workspace_id: int
    message: str


@dataclass(frozen=True, slots=True)
class LegacyAccess:
    """A legacy-access document. Build it with `make_legacy` so that it is sorted."""

    __pydantic_config__ = ConfigDict(extra="forbid", title="govkit legacy-access document")

    source: LegacySource
    format: Literal["govkit.legacy-access/v1"] = FORMAT
    environment: str | None = None
    taken_at: str | None = None
    complete: bool = True
    errors: tuple[LegacyError, ...] = ()
    workspaces: tuple[Workspace, ...] = ()


class LegacyFormatError(ValueError):
    """A file that is not a legacy-access document."""


def storage_key(key: str) -> bool:
    """Whether a spark conf key sets a storage credential (STORAGE_KEY_PREFIXES)."""
    bare = key.removeprefix(HADOOP)
    if bare.startswith(_NOT_A_SECRET):
        return False
    return any(bare == p or bare.startswith(p + ".") for p in STORAGE_KEY_PREFIXES)


def kept_conf(conf: Mapping[str, Any] | None) -> dict[str, str]:
    """What a document keeps of a spark conf, sorted: the table access control flags, and the
    keys that set a storage credential, whose values are redacted unless they are references
    to a secret (`{{secrets/scope/key}}`). A document never holds a secret."""
    given = conf or {}
    kept = {k: str(given[k]) for k in TABLE_ACL_FLAGS if k in given}
    for key in sorted(k for k in given if storage_key(k)):
        value = str(given[key])
        kept[key] = value if _SECRET_REFERENCE.fullmatch(value.strip()) else REDACTED
    return kept


_T = TypeVar("_T", Cluster, JobCluster)


def _conf_kept(c: _T) -> _T:
    return replace(c, spark_conf=kept_conf(c.spark_conf))


def _sorted_workspace(w: Workspace) -> Workspace:
    jobs = tuple(
        replace(j, clusters=tuple(sorted(j.clusters, key=lambda c: (c.kind, c.key))))
        for j in sorted(w.jobs, key=lambda j: j.job_id)
    )
    return replace(
        w,
        instance_profiles=tuple(sorted(w.instance_profiles, key=lambda p: p.instance_profile_arn)),
        clusters=tuple(_conf_kept(c) for c in sorted(w.clusters, key=lambda c: c.cluster_id)),
        cluster_policies=tuple(
            replace(p, instance_profile_arns=tuple(sorted(set(p.instance_profile_arns))))
            for p in sorted(w.cluster_policies, key=lambda p: p.policy_id)
        ),
        jobs=tuple(replace(j, clusters=tuple(_conf_kept(c) for c in j.clusters)) for j in jobs),
    )


def make_legacy(
    source: LegacySource,
    workspaces: Iterable[Workspace],
    *,
    environment: str | None = None,
    taken_at: str | None = None,
    errors: Iterable[LegacyError] = (),
    complete: bool = True,
) -> LegacyAccess:
    """The document in canonical order; any error makes it incomplete."""
    errs = tuple(sorted(set(errors), key=lambda e: (e.workspace_id, e.message)))
    return LegacyAccess(
        source=source,
        environment=environment,
        taken_at=taken_at,
        complete=complete and not errs,
        errors=errs,
        workspaces=tuple(
            _sorted_workspace(w) for w in sorted(workspaces, key=lambda w: w.workspace_id)
        ),
    )


@functools.cache
def _adapter() -> TypeAdapter[LegacyAccess]:
    return TypeAdapter(LegacyAccess)


def legacy_to_dict(doc: LegacyAccess) -> dict[str, Any]:
    out: dict[str, Any] = _adapter().dump_python(doc, mode="json")
    if doc.environment is None:
        del out["environment"]
    if doc.taken_at is None:
        del out["taken_at"]
    order = ("format", "source", "environment", "taken_at", "complete", "errors", "workspaces")
    return {k: out[k] for k in order if k in out}


def dumps(doc: LegacyAccess) -> str:
    """The canonical JSON text: same value, same bytes."""
    return json.dumps(legacy_to_dict(doc), indent=2, ensure_ascii=False) + "\n"


def _duplicates(doc: LegacyAccess) -> str | None:
    """The first key that a document holds twice, as `path: value`."""
    seen_ws: set[int] = set()
    for i, w in enumerate(doc.workspaces):
        if w.workspace_id in seen_ws:
            return f"workspaces.{i}.workspace_id: workspace {w.workspace_id} appears twice"
        seen_ws.add(w.workspace_id)
        lists: list[tuple[str, list[str]]] = [
            ("instance_profiles", [p.instance_profile_arn for p in w.instance_profiles]),
            ("clusters", [c.cluster_id for c in w.clusters]),
            ("cluster_policies", [p.policy_id for p in w.cluster_policies]),
            ("jobs", [str(j.job_id) for j in w.jobs]),
        ]
        for name, keys in lists:
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                return f"workspaces.{i}.{name}: {twice[0]!r} appears twice"
    return None


def loads(text: str | bytes) -> LegacyAccess:
    """Parse one legacy-access document and put it in canonical order."""
    raw = parse_json(text, LegacyFormatError)
    require_format(raw, FORMAT, "a legacy-access document", LegacyFormatError)
    doc = validate(_adapter(), raw, "legacy-access document", LegacyFormatError, strict=False)
    twice = _duplicates(doc)
    if twice is not None:
        raise LegacyFormatError(f"invalid legacy-access document at {twice}")
    return make_legacy(
        doc.source,
        doc.workspaces,
        environment=doc.environment,
        taken_at=doc.taken_at,
        errors=doc.errors,
        complete=doc.complete,
    )


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the legacy-access document."""
    return published_schema(_adapter(), "legacy-access")
