"""How hard the live readers may push the API, and how patiently they wait."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

TIMEOUT_VARIABLE = "GOVKIT_HTTP_TIMEOUT"
DEADLINE_VARIABLE = "GOVKIT_DEADLINE"
COOLDOWN_VARIABLE = "GOVKIT_BREAKER_COOLDOWN"


DEFAULT_SECONDS = {TIMEOUT_VARIABLE: 60.0, DEADLINE_VARIABLE: 120.0, COOLDOWN_VARIABLE: 30.0}


class SettingsError(Exception):
    """Environment variables that hold no number of seconds: a line each, with a hint."""


def environment_seconds() -> dict[str, float]:
    """Each variable of `DEFAULT_SECONDS` from the environment, its default when unset or empty.

    Raises `SettingsError` naming every variable whose value is not a positive number, so that
    `GOVKIT_HTTP_TIMEOUT=30s` stops the command instead of quietly meaning 60.
    """
    values, problems = {}, []
    for variable, default in DEFAULT_SECONDS.items():
        text = os.environ.get(variable, "").strip()
        try:
            value = float(text) if text else default
        except ValueError:
            value = math.nan
        if not 0 < value < math.inf:
            problems.append(
                f"{variable}={text!r} is not a positive number of seconds; hint: a plain "
                f"number without a unit, e.g. {variable}={default:g} (the default when unset)"
            )
        values[variable] = value
    if problems:
        raise SettingsError("\n".join(problems))
    return values


@dataclass(frozen=True)
class ReaderSettings:
    """Limits of a live read. Defaults suit a real workspace; tests shrink the waits.

    - `concurrency`: requests in flight at once.
    - `rate_per_second`, `burst`: the client-side token bucket (databricks-sdk does not
      enforce its own `rate_limit`).
    - `attempts`: tries per request, the first included; a connection error counts as one.
    - `throttle_attempts`: tries per request that a 429 may take, on top of `attempts`: a
      429 is pacing (the rate adapts), not a failure, until the workspace refuses far more
      requests than it answers.
    - `deadline`: seconds from a request's first try after which no further try starts.
    - `backoff_base`, `backoff_cap`: jittered exponential backoff between tries, in seconds;
      a Retry-After header is honoured as a floor (capped by `retry_after_cap`).
    - `breaker_threshold`, `breaker_cooldown`, `breaker_max_trips`: the circuit breaker opens
      after that many consecutive failures, waits the cooldown, lets one probe through, and
      fails every remaining request fast after that many trips without a success.
    - `statement_wait`, `poll_interval`, `statement_timeout`: the Statement Execution API.
    - `http_timeout_seconds`: the socket timeout of one HTTP request (GOVKIT_HTTP_TIMEOUT, whole
      seconds, at least 1); `deadline` defaults to GOVKIT_DEADLINE and `breaker_cooldown` to
      GOVKIT_BREAKER_COOLDOWN. They are read when the settings are made; a value that is not
      a positive number raises `SettingsError`.
    - `progress`: a progress bar on stderr; None means "when stderr is a terminal, not in CI".
    """

    concurrency: int = 8
    rate_per_second: float = 25.0
    burst: int = 25
    attempts: int = 3
    throttle_attempts: int = 20
    deadline: float = field(default_factory=lambda: environment_seconds()[DEADLINE_VARIABLE])
    backoff_base: float = 0.5
    backoff_cap: float = 10.0
    retry_after_cap: float = 60.0
    breaker_threshold: int = 5
    breaker_cooldown: float = field(
        default_factory=lambda: environment_seconds()[COOLDOWN_VARIABLE]
    )
    breaker_max_trips: int = 3
    http_timeout_seconds: int = field(
        default_factory=lambda: max(1, round(environment_seconds()[TIMEOUT_VARIABLE]))
    )
    statement_wait: str = "10s"
    poll_interval: float = 0.5
    statement_timeout: float = 900.0
    external_links: bool = True
    progress: bool | None = None
    seed: int | None = None  # jitter seed, for reproducible tests
