"""Access paths outside Unity Catalog, counted from a legacy-access document (pure).

One path is one door that reads data with no Unity Catalog grant:
- `instance_profile`: an instance profile registered in a workspace, or named by a cluster, a
  cluster policy or a job there; the clusters, policies and jobs that use it are its evidence
  (removing the profile closes the door for all of them, so they are not counted again);
- `hive_table_acl`: a cluster or job cluster that enforces Hive metastore table ACLs
  (`LEGACY_TABLE_ACL`, or the table access control flags in its spark conf): the metastore's
  grants are still in use there;
- `no_isolation`: a cluster or job cluster in `NONE` access mode, or with no mode at all (the
  API's no-isolation shared default), where every user reads what the cluster can;
- `legacy_access_mode`: `LEGACY_PASSTHROUGH`, `LEGACY_SINGLE_USER`, `LEGACY_SINGLE_USER_STANDARD`;
- `storage_key`: a storage credential set in the spark conf of clusters or job clusters (an Azure
  storage account key, a service principal's client secret, a SAS token), Azure's counterpart of
  an instance profile; one path per credential and storage account, with the clusters and jobs
  that set it as evidence.
A cluster that a job started (`cluster_source: JOB`) is counted through its job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from govkit.legacy.document import (
    HADOOP,
    REDACTED,
    TABLE_ACL_FLAGS,
    Cluster,
    JobCluster,
    LegacyAccess,
    Workspace,
    storage_key,
)

PathKind = Literal[
    "instance_profile", "storage_key", "hive_table_acl", "no_isolation", "legacy_access_mode"
]
KINDS: tuple[PathKind, ...] = (
    "instance_profile",
    "storage_key",
    "hive_table_acl",
    "no_isolation",
    "legacy_access_mode",
)
KIND_TITLES: dict[PathKind, str] = {
    "instance_profile": "instance profile",
    "storage_key": "spark conf storage key",
    "hive_table_acl": "Hive metastore table ACLs",
    "no_isolation": "no-isolation cluster",
    "legacy_access_mode": "legacy access mode",
}

# data_security_mode values (databricks-sdk's compute.DataSecurityMode) that are not Unity
# Catalog's own isolation; USER_ISOLATION and SINGLE_USER are aliases of the standard modes.
LEGACY_MODES = frozenset(
    {"LEGACY_PASSTHROUGH", "LEGACY_SINGLE_USER", "LEGACY_SINGLE_USER_STANDARD"}
)
NO_ISOLATION_MODES = frozenset({"NONE", None})
_JOB_SOURCES = frozenset({"JOB"})


@dataclass(frozen=True, slots=True)
class AccessPath:
    """One door, where it is, who owns it, and what uses it."""

    workspace_id: int
    kind: PathKind
    subject: str
    owner: str | None
    detail: str
    used_by: tuple[str, ...] = ()


def _flags(conf: dict[str, str]) -> dict[str, str]:
    return {k: conf[k] for k in TABLE_ACL_FLAGS if k in conf}


def _enabled(conf: dict[str, str]) -> bool:
    return any(v.strip().lower() == "true" for v in _flags(conf).values())


def cluster_kind(mode: str | None, conf: dict[str, str]) -> PathKind | None:
    """The kind of path a cluster spec opens, or None for Unity Catalog's own access modes."""
    if mode == "LEGACY_TABLE_ACL" or _enabled(conf):
        return "hive_table_acl"
    if mode in NO_ISOLATION_MODES:
        return "no_isolation"
    if mode in LEGACY_MODES:
        return "legacy_access_mode"
    return None


def _mode_detail(mode: str | None, conf: dict[str, str]) -> str:
    shown = mode or "no access mode (no isolation)"
    flags = ", ".join(f"{k}={v}" for k, v in _flags(conf).items())
    return f"data_security_mode {shown}" + (f"; spark conf {flags}" if flags else "")


def _cluster_label(c: Cluster) -> str:
    return f"cluster {c.cluster_name or c.cluster_id} ({c.cluster_id})"


def _job_label(name: str | None, job_id: int, jc: JobCluster | None = None) -> str:
    where = f"job {name or job_id} ({job_id})"
    return f"{where}, {jc.kind.replace('_', ' ')} {jc.key}" if jc is not None else where


def _plain(name: str) -> str:
    return name


def _computes(w: Workspace, label: Callable[[str], str]) -> list[tuple[Cluster | JobCluster, str]]:
    """Every cluster spec of the workspace that a user starts (clusters, and the clusters of
    jobs; a job's run cluster counts through its job), with its evidence line and owner."""

    def owner(name: str | None) -> str:
        return label(name or "unknown owner")

    clusters: list[tuple[Cluster | JobCluster, str]] = [
        (c, f"{_cluster_label(c)}, owner {owner(c.creator_user_name)}")
        for c in w.clusters
        if c.cluster_source not in _JOB_SOURCES
    ]
    return clusters + [
        (jc, f"{_job_label(j.name, j.job_id, jc)}, owner {owner(j.creator_user_name)}")
        for j in w.jobs
        for jc in j.clusters
    ]


def _profiles(w: Workspace, label: Callable[[str], str]) -> list[AccessPath]:
    users: dict[str, set[str]] = defaultdict(set)
    for spec, user in _computes(w, label):
        if spec.instance_profile_arn:
            users[spec.instance_profile_arn].add(user)
    for p in w.cluster_policies:
        for arn in p.instance_profile_arns:
            owner = label(p.creator_user_name or "unknown owner")
            users[arn].add(f"cluster policy {p.name or p.policy_id} ({p.policy_id}), owner {owner}")
    registered = {p.instance_profile_arn: p for p in w.instance_profiles}
    out = []
    for arn in sorted({*registered, *users}):
        known = registered.get(arn)
        role = f"IAM role {known.iam_role_arn}" if known and known.iam_role_arn else "IAM role"
        state = "registered" if known is not None else "not registered here, still named"
        used = f"used by {len(users[arn])}" if users[arn] else "unused, still attachable"
        out.append(
            AccessPath(
                w.workspace_id,
                "instance_profile",
                f"instance profile {arn}",
                None,
                f"{role}; {state}; {used}",
                tuple(sorted(users[arn])),
            )
        )
    return out


# (prefix of a storage-credential key without `spark.hadoop.`, what it sets), longest first.
_CREDENTIALS = (
    ("fs.azure.account.oauth2.client.secret", "service principal secret"),
    ("fs.azure.account.key", "account key"),
    ("fs.azure.sas.fixed.token", "SAS token"),
    ("fs.azure.sas", "SAS token"),
)


def _credential(key: str) -> tuple[str, str]:
    """(what the key sets, for which storage): `fs.azure.account.key.acct.dfs.core.windows.net`
    is the account key of `acct.dfs.core.windows.net`; no suffix means every account."""
    bare = key.removeprefix(HADOOP)
    for prefix, what in _CREDENTIALS:
        if bare.startswith(prefix):
            target = bare[len(prefix) :].lstrip(".")
            return what, target or "every storage account"
    return "storage credential", bare


def _shown(value: str) -> str:
    return "the secret itself (redacted here)" if value == REDACTED else value


def _storage_keys(w: Workspace, label: Callable[[str], str]) -> list[AccessPath]:
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for spec, user in _computes(w, label):
        for key, value in spec.spark_conf.items():
            if storage_key(key):
                door = _credential(key)
                users[door].add(user)
                values[door].add(value)
    return [
        AccessPath(
            w.workspace_id,
            "storage_key",
            f"{what} for {target}",
            None,
            f"in the spark conf as {', '.join(sorted(map(_shown, values[(what, target)])))}; "
            f"used by {len(users[(what, target)])}",
            tuple(sorted(users[(what, target)])),
        )
        for what, target in sorted(users)
    ]


def _clusters(w: Workspace, label: Callable[[str], str]) -> list[AccessPath]:
    out = []
    for c in w.clusters:
        kind = cluster_kind(c.data_security_mode, c.spark_conf)
        if kind is None or c.cluster_source in _JOB_SOURCES:
            continue
        owner = label(c.creator_user_name) if c.creator_user_name else None
        detail = _mode_detail(c.data_security_mode, c.spark_conf)
        out.append(AccessPath(w.workspace_id, kind, _cluster_label(c), owner, detail))
    for j in w.jobs:
        for jc in j.clusters:
            kind = cluster_kind(jc.data_security_mode, jc.spark_conf)
            if kind is not None:
                detail = _mode_detail(jc.data_security_mode, jc.spark_conf)
                where = _job_label(j.name, j.job_id, jc)
                owner = label(j.creator_user_name) if j.creator_user_name else None
                out.append(AccessPath(w.workspace_id, kind, where, owner, detail))
    return out


def unread_workspaces(declared: Iterable[int], doc: LegacyAccess) -> list[int]:
    """Declared workspaces the document neither read nor says it failed to read."""
    named = {w.workspace_id for w in doc.workspaces} | {e.workspace_id for e in doc.errors}
    return [w for w in declared if w not in named]


def access_paths(doc: LegacyAccess, label: Callable[[str], str] = _plain) -> tuple[AccessPath, ...]:
    """Every path of every workspace read, sorted by (workspace, kind, subject); `label`
    shows an owner's name (a service principal's declared name beside its id)."""
    found = [
        p
        for w in doc.workspaces
        for p in (*_profiles(w, label), *_storage_keys(w, label), *_clusters(w, label))
    ]
    order = {k: i for i, k in enumerate(KINDS)}
    return tuple(sorted(found, key=lambda p: (p.workspace_id, order[p.kind], p.subject)))
