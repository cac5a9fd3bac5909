"""Compute endpoints of a workspace: instance profiles, clusters, cluster policies and jobs.

Answered from a legacy-access document (`govkit.legacy-access/v1`), one workspace per entry,
in the wire format databricks-sdk reads: `instance-profiles/list` and `policies/clusters/list`
are unpaged; `clusters/list` pages with `page_size` and `page_token`; `jobs/list` with `limit`
(1 to 100) and `page_token`, and with `expand_tasks` shows at most 100 tasks and job clusters a
job, setting `has_more`, after which `jobs/get` pages the rest. The workspace is the one the
request names in `X-Databricks-Workspace-Id`, else the host's. A workspace the caller may not
use answers 403, as Databricks answers a principal that is not assigned to it.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from govkit.legacy.document import Cluster, JobCluster, LegacyAccess, Workspace
from govkit.testing.http import Request, Router, ok
from govkit.testing.store import ApiError

_JOB_PAGE = 100  # tasks and job clusters a job shows in jobs/list and in one page of jobs/get
SPARK_VERSION = "15.4.x-scala2.12"


@dataclass
class ComputeEstate:
    """What each workspace's compute APIs answer; `denied` workspaces refuse the caller."""

    workspaces: dict[int, Workspace] = field(default_factory=dict)
    denied: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def load(self, doc: LegacyAccess) -> None:
        with self.lock:
            self.workspaces.update({w.workspace_id: w for w in doc.workspaces})


def _workspace(req: Request, estate: ComputeEstate) -> Workspace:
    named = req.headers.get("X-Databricks-Workspace-Id") or ""
    wid = int(named) if _digits(named) else req.workspace_id
    with estate.lock:
        if wid in estate.denied:
            raise ApiError(
                403, "PERMISSION_DENIED", f"User is not authorized to use workspace {wid}."
            )
        return estate.workspaces.get(wid) or Workspace(wid)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(req: Request) -> int:
    token = req.query.get("page_token")
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        offset = None
    if type(offset) is not int or offset < 0:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid page token: {token}")
    return offset


def _page(req: Request, items: Sequence[Any], size: int) -> tuple[list[Any], dict[str, str]]:
    """One page from the token's offset, and the tokens that go with it."""
    start = _offset(req)
    if req.faults.page_fails(req.listing(), start // max(1, size)):
        raise ApiError(500, "INTERNAL_ERROR", "Internal error while listing.")
    chunk = list(items[start : start + size])
    tokens = {}
    if start + size < len(items):
        tokens["next_page_token"] = _token(start + size)
    if start > 0:
        tokens["prev_page_token"] = _token(max(0, start - size))
    return chunk, tokens


def _positive(req: Request, name: str, default: int, most: int) -> int:
    raw = req.query.get(name)
    if raw is None:
        return default
    if not _digits(raw) or not 1 <= int(raw) <= most:
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", f"{name} must be between 1 and {most}, got {raw}"
        )
    return int(raw)


def _present(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v not in (None, {}, [])}


def _spec(mode: str | None, arn: str | None, conf: dict[str, str]) -> dict[str, Any]:
    return _present(
        {
            "spark_version": SPARK_VERSION,
            "data_security_mode": mode,
            "aws_attributes": _present({"instance_profile_arn": arn}),
            "spark_conf": dict(conf),
        }
    )


def cluster_body(c: Cluster) -> dict[str, Any]:
    body = {
        "cluster_id": c.cluster_id,
        "cluster_name": c.cluster_name,
        "creator_user_name": c.creator_user_name,
        "single_user_name": c.single_user_name,
        "policy_id": c.policy_id,
        "cluster_source": c.cluster_source,
        "state": "TERMINATED",
        **_spec(c.data_security_mode, c.instance_profile_arn, c.spark_conf),
    }
    return _present(body)


def policy_definition(arns: Sequence[str]) -> str:
    """A policy definition that fixes one instance profile or allows several."""
    key = "aws_attributes.instance_profile_arn"
    if not arns:
        return json.dumps({"spark_version": {"type": "unlimited", "defaultValue": SPARK_VERSION}})
    if len(arns) == 1:
        return json.dumps({key: {"type": "fixed", "value": arns[0]}})
    return json.dumps({key: {"type": "allowlist", "values": list(arns)}})


def _job_settings(
    name: str | None, clusters: Sequence[JobCluster], start: int, size: int
) -> tuple[dict[str, Any], bool]:
    """The job's settings with its clusters from `start`, and whether more follow."""
    shared = [c for c in clusters if c.kind == "job_cluster"]
    tasks = [c for c in clusters if c.kind == "task"]

    def spec(c: JobCluster) -> dict[str, Any]:
        return _spec(c.data_security_mode, c.instance_profile_arn, c.spark_conf)

    settings = {
        "name": name,
        "format": "MULTI_TASK",
        "job_clusters": [
            {"job_cluster_key": c.key, "new_cluster": spec(c)} for c in shared[start : start + size]
        ],
        "tasks": [{"task_key": c.key, "new_cluster": spec(c)} for c in tasks[start : start + size]],
    }
    return _present(settings), max(len(shared), len(tasks)) > start + size


def _job_body(req: Request, w: Workspace, job_id: int) -> dict[str, Any]:
    job = next((j for j in w.jobs if j.job_id == job_id), None)
    if job is None:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.")
    start = _offset(req)
    settings, more = _job_settings(job.name, job.clusters, start, _JOB_PAGE)
    body: dict[str, Any] = {
        "job_id": job.job_id,
        "creator_user_name": job.creator_user_name,
        "settings": settings,
    }
    if more:
        body["next_page_token"] = _token(start + _JOB_PAGE)
    return _present(body)


def register(router: Router, estate: ComputeEstate) -> None:
    """Add the compute routes, answered from `estate`."""

    def route(method: str, path: str, answer: Callable[[Request, Workspace], Any]) -> None:
        router.add(method, path, lambda req: ok(answer(req, _workspace(req, estate))))

    def profiles(req: Request, w: Workspace) -> dict[str, Any]:
        listed = [
            _present(
                {
                    "instance_profile_arn": p.instance_profile_arn,
                    "iam_role_arn": p.iam_role_arn,
                    "is_meta_instance_profile": p.is_meta_instance_profile,
                }
            )
            for p in w.instance_profiles
        ]
        return _present({"instance_profiles": listed})

    def clusters(req: Request, w: Workspace) -> dict[str, Any]:
        size = min(_positive(req, "page_size", req.config.page_size, 10_000), req.config.page_size)
        chunk, tokens = _page(req, w.clusters, size)
        return _present({"clusters": [cluster_body(c) for c in chunk], **tokens})

    def policies(req: Request, w: Workspace) -> dict[str, Any]:
        listed = [
            _present(
                {
                    "policy_id": p.policy_id,
                    "name": p.name,
                    "creator_user_name": p.creator_user_name,
                    "definition": policy_definition(p.instance_profile_arns),
                }
            )
            for p in w.cluster_policies
        ]
        return _present({"policies": listed})

    def jobs(req: Request, w: Workspace) -> dict[str, Any]:
        size = min(_positive(req, "limit", 20, 100), req.config.page_size)
        chunk, tokens = _page(req, w.jobs, size)
        expand = req.query.get("expand_tasks", "").lower() == "true"
        listed = []
        for j in chunk:
            settings, more = _job_settings(j.name, j.clusters if expand else (), 0, _JOB_PAGE)
            body = {"job_id": j.job_id, "creator_user_name": j.creator_user_name}
            listed.append(_present({**body, "settings": settings, "has_more": more or None}))
        return _present({"jobs": listed, "has_more": "next_page_token" in tokens, **tokens})

    def job(req: Request, w: Workspace) -> dict[str, Any]:
        raw = req.query.get("job_id", "")
        if not _digits(raw):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid job_id: {raw!r}")
        return _job_body(req, w, int(raw))

    route("GET", "/api/2.0/instance-profiles/list", profiles)
    route("GET", "/api/2.1/clusters/list", clusters)
    route("GET", "/api/2.0/policies/clusters/list", policies)
    route("GET", "/api/2.2/jobs/list", jobs)
    route("GET", "/api/2.2/jobs/get", job)
