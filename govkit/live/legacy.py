"""The legacy-access reader: every workspace of an environment, through databricks-sdk.

Per workspace, four listings: `instance_profiles.list` (AWS only) and `cluster_policies.list`
(unpaged)
through the SDK's clients; `clusters/list` and `jobs/list?expand_tasks=true` one page a call
through the SDK's API client, read into the SDK's own types, every `next_page_token` followed,
because the SDK's iterators follow tokens inside a generator and a retry would start the whole
listing again; a job with more than 100 tasks (`has_more`) is fetched whole with `jobs.get`.
Every call runs under the Retrier; one that fails for good leaves its workspace out, named in
`errors`, and the document incomplete: never a workspace with an empty list standing in for
"could not read".

Which host answers for a workspace: the URL given for it (`--workspace-host ID=URL`), else
the one host of unified auth with the workspace id set, which the SDK sends as
`X-Databricks-Workspace-Id` so that a unified host routes the call.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from govkit.legacy.document import (
    Cluster,
    ClusterPolicy,
    InstanceProfile,
    Job,
    JobCluster,
    LegacyAccess,
    LegacyError,
    Workspace,
    kept_conf,
    make_legacy,
)
from govkit.live.progress import Progress, wanted
from govkit.live.resilience import ReadFailed, Retrier
from govkit.live.rest import Rest
from govkit.live.settings import ReaderSettings

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

T = TypeVar("T")
ClientFor = Callable[[int], "WorkspaceClient"]

CLUSTERS = "/api/2.1/clusters/list"
JOBS = "/api/2.2/jobs/list"
# The policy attribute that sets a cluster's instance profile.
PROFILE_ATTRIBUTE = "aws_attributes.instance_profile_arn"


class WorkspaceUnreadable(Exception):
    """One workspace could not be read; the message says which listing and why."""


def workspace_clients(hosts: Mapping[int, str], settings: ReaderSettings) -> ClientFor:
    """A client per workspace: its own host where given, else unified auth's, routed by id."""
    from govkit.live.client import make_client

    def client_for(workspace_id: int) -> WorkspaceClient:
        if workspace_id in hosts:
            return make_client(settings, host=hosts[workspace_id])
        return make_client(settings, workspace_id=workspace_id)

    return client_for


def _mode(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def _arn(spec: Any) -> str | None:
    attributes = getattr(spec, "aws_attributes", None)
    return getattr(attributes, "instance_profile_arn", None) if attributes is not None else None


def _policy_profiles(policy_id: str, definition: str | None) -> tuple[str, ...]:
    """The instance profiles a policy definition fixes, allows or defaults to."""
    if not definition:
        return ()
    try:
        rules = json.loads(definition)
    except json.JSONDecodeError:
        raise WorkspaceUnreadable(f"cluster policy {policy_id}: definition is not JSON") from None
    rule = rules.get(PROFILE_ATTRIBUTE) if isinstance(rules, dict) else None
    if not isinstance(rule, dict):
        return ()
    found = [rule.get("value"), rule.get("defaultValue"), *(rule.get("values") or [])]
    return tuple(sorted({a for a in found if isinstance(a, str) and a}))


def _job(job: Any) -> Job:
    settings = job.settings
    clusters = [
        JobCluster("job_cluster", c.job_cluster_key, _mode(c.new_cluster.data_security_mode),
                   _arn(c.new_cluster), kept_conf(c.new_cluster.spark_conf))
        for c in (settings.job_clusters or []) if c.new_cluster is not None
    ] + [
        JobCluster("task", t.task_key, _mode(t.new_cluster.data_security_mode),
                   _arn(t.new_cluster), kept_conf(t.new_cluster.spark_conf))
        for t in (settings.tasks or []) if t.new_cluster is not None
    ]  # fmt: skip
    return Job(int(job.job_id), settings.name, job.creator_user_name, tuple(clusters))


class LegacyReader:
    """Reads the workspaces of one environment, a few at once, each listing under the Retrier."""

    def __init__(self, client_for: ClientFor, settings: ReaderSettings) -> None:
        self.client_for = client_for
        self.settings = settings
        self.progress = Progress("legacy access", wanted(settings.progress))
        self.retrier = Retrier(settings, self.progress)

    def _list(self, what: str, fn: Callable[[], Iterable[T]]) -> list[T]:
        try:
            return self.retrier.call(lambda: list(fn()))
        except ReadFailed as exc:
            raise WorkspaceUnreadable(f"could not read {what}: {exc}") from None

    def _pages(self, rest: Rest, what: str, path: str, query: dict[str, Any]) -> list[Any]:
        """Every item of a listing under `what`, one page a call, to the last token."""
        try:
            return rest.pages(path, what, query, uc=False)
        except ReadFailed as exc:
            raise WorkspaceUnreadable(f"could not read {what}: {exc}") from None

    def _jobs(self, w: WorkspaceClient, rest: Rest) -> list[Any]:
        from databricks.sdk.service.jobs import BaseJob

        query = {"expand_tasks": "true", "limit": 100}
        jobs = [BaseJob.from_dict(j) for j in self._pages(rest, "jobs", JOBS, query)]
        for job in jobs:
            if job.has_more and job.job_id is not None:
                # The whole job: the SDK's jobs.get follows the pages of its tasks and clusters.
                whole = self._whole_job(w, job.job_id)
                job.settings = whole.settings
        return jobs

    def _whole_job(self, w: WorkspaceClient, job_id: int) -> Any:
        try:
            return self.retrier.call(lambda: w.jobs.get(job_id))
        except ReadFailed as exc:
            raise WorkspaceUnreadable(f"could not read job {job_id}: {exc}") from None

    def workspace(self, workspace_id: int) -> Workspace:
        from govkit.live.client import ClientConfigError

        try:
            w = self.client_for(workspace_id)
        except ClientConfigError as exc:
            raise WorkspaceUnreadable(f"cannot configure a client: {exc}") from None
        from databricks.sdk.service.compute import ClusterDetails

        rest = Rest(w, self.retrier)
        # Instance profiles are AWS's; an Azure or GCP workspace has none to list.
        aws = not (w.config.is_azure or w.config.is_gcp)
        profiles = self._list("instance profiles", w.instance_profiles.list) if aws else []
        listed = self._pages(rest, "clusters", CLUSTERS, {"page_size": 100})
        clusters = [ClusterDetails.from_dict(c) for c in listed]
        policies = self._list("cluster policies", w.cluster_policies.list)
        jobs = self._jobs(w, rest)
        return Workspace(
            workspace_id,
            tuple(
                InstanceProfile(p.instance_profile_arn, p.iam_role_arn,
                                bool(p.is_meta_instance_profile))
                for p in profiles
            ),
            tuple(
                Cluster(str(c.cluster_id), c.cluster_name, c.creator_user_name, c.single_user_name,
                        _mode(c.data_security_mode), _arn(c), c.policy_id,
                        _mode(c.cluster_source), kept_conf(c.spark_conf))
                for c in clusters
            ),
            tuple(
                ClusterPolicy(str(p.policy_id), p.name, p.creator_user_name,
                              _policy_profiles(str(p.policy_id), p.definition))
                for p in policies
            ),
            tuple(_job(j) for j in jobs),
        )  # fmt: skip

    def read(self, workspace_ids: Sequence[int]) -> tuple[list[Workspace], list[LegacyError]]:
        def one(workspace_id: int) -> Workspace | LegacyError:
            try:
                return self.workspace(workspace_id)
            except WorkspaceUnreadable as exc:
                return LegacyError(workspace_id, str(exc))

        workers = max(1, min(self.settings.concurrency, len(workspace_ids)))
        try:
            with ThreadPoolExecutor(workers) as pool:
                self.progress.add(len(workspace_ids))
                found = list(pool.map(self.progress.counted(one), workspace_ids))
        finally:
            self.progress.close()
        read = [f for f in found if isinstance(f, Workspace)]
        return read, [f for f in found if isinstance(f, LegacyError)]


def read_legacy(
    environment: str,
    workspace_ids: Sequence[int],
    client_for: ClientFor,
    settings: ReaderSettings | None = None,
    taken_at: str | None = None,
) -> LegacyAccess:
    """The legacy-access document of `environment`, every one of its workspaces read."""
    stamp = taken_at or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    read, errors = LegacyReader(client_for, settings or ReaderSettings()).read(
        sorted(set(workspace_ids))
    )
    return make_legacy("workspace", read, environment=environment, taken_at=stamp, errors=errors)
