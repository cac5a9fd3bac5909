"""The one place that builds a `WorkspaceClient` for govkit.

databricks-sdk's unified auth finds the credentials: arguments, then `DATABRICKS_*` environment
variables, then a `~/.databrickscfg` profile (OAuth, Azure CLI and the other methods it knows).
The client's clock hands every SDK-internal retry back to govkit's `Retrier`, so that a request
is tried at most `ReaderSettings.attempts` times however the SDK is configured. The SDK's own
retry budget is cut to one second: its host-metadata probe, made while the configuration is
built and out of govkit's reach, then tries an unreachable host once instead of for 300 s.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING

from govkit.live.resilience import ClientConfigError, SdkRetryRequested
from govkit.live.settings import ReaderSettings

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


# Seconds the SDK may spend retrying on its own (its default is 300); govkit's Retrier retries.
SDK_RETRY_BUDGET_SECONDS = 1


__all__ = ["ClientConfigError", "bounded", "make_client"]


def _quiet_sdk() -> None:
    # The SDK warns on every client when a host has no metadata endpoint (most hosts today);
    # govkit reports what failed itself, once, so only the SDK's errors get through.
    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)


def _handing_back_clock() -> object:
    from databricks.sdk.clock import Clock

    class HandBackClock(Clock):
        """Real time; a retry sleep raises instead, so govkit's Retrier decides what next."""

        def time(self) -> float:
            return time.time()

        def sleep(self, seconds: float) -> None:
            raise SdkRetryRequested(f"the SDK asked to retry in {seconds:.1f}s")

    return HandBackClock()


def make_client(
    settings: ReaderSettings | None = None,
    *,
    host: str | None = None,
    token: str | None = None,
    profile: str | None = None,
    workspace_id: int | None = None,
) -> WorkspaceClient:
    """A WorkspaceClient from unified auth (arguments override environment and profile)."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    _quiet_sdk()
    s = settings or ReaderSettings()
    kwargs: dict[str, object] = {
        "http_timeout_seconds": s.http_timeout_seconds,
        "retry_timeout_seconds": SDK_RETRY_BUDGET_SECONDS,
    }
    if host is not None:
        kwargs["host"] = host
    if token is not None:
        kwargs["token"] = token
        kwargs["auth_type"] = "pat"
    if profile is not None:
        kwargs["profile"] = profile
    if workspace_id is not None:
        kwargs["workspace_id"] = str(workspace_id)  # sent as X-Databricks-Workspace-Id
    try:
        config = Config(clock=_handing_back_clock(), **kwargs)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ClientConfigError(_explained(_first_line(str(exc)), host, profile)) from None
    return WorkspaceClient(config=config)


def _explained(message: str, host: str | None, profile: str | None) -> str:
    """The SDK's message, with what to set when it found no credentials at all.

    Unified auth says only "cannot configure default credentials" (with a link) when nothing
    names a workspace; the usual cause is a missing DATABRICKS_HOST.
    """
    if "cannot configure default credentials" not in message:
        return message
    said = message.split(", please check", 1)[0]
    named = host or profile or os.environ.get("DATABRICKS_HOST")
    named = named or os.environ.get("DATABRICKS_CONFIG_PROFILE")
    cause = "" if named else "; DATABRICKS_HOST is not set and no profile is named"
    return (
        f"{said}{cause} (hint: set DATABRICKS_HOST to the workspace URL with DATABRICKS_TOKEN or "
        "another auth method, or DATABRICKS_CONFIG_PROFILE to a profile of ~/.databrickscfg)"
    )


def bounded(client: WorkspaceClient) -> WorkspaceClient:
    """`client`, or a copy of it whose SDK retries are handed back to govkit's Retrier."""
    from databricks.sdk import WorkspaceClient

    _quiet_sdk()
    config = client.config
    if type(config.clock).__name__ == "HandBackClock":
        return client
    copy = config.copy()  # type: ignore[no-untyped-call]  # the SDK is untyped here
    # The SDK offers no public setter for the clock; Config.copy shares the credentials.
    copy._clock = _handing_back_clock()
    return WorkspaceClient(config=copy)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "cannot configure the client"


def on_host(client: WorkspaceClient, host: str) -> WorkspaceClient:
    """`client`'s credentials and settings, sent to another workspace's `host` (a catalog
    isolated to other workspaces is read through one of them)."""
    from databricks.sdk import WorkspaceClient

    copy = client.config.copy()  # type: ignore[no-untyped-call]  # the SDK is untyped here
    copy.host = host
    copy.workspace_id = None  # the other host is its own workspace
    return WorkspaceClient(config=copy)
