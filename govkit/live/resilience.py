"""Client-side protection of the API: token bucket, circuit breaker, bounded retries.

databricks-sdk retries 429 and 503 by itself, without an attempt cap, for up to
`retry_timeout_seconds`. The client built in `govkit.live.client` hands every retry the SDK
wants back to `Retrier` (see `SdkRetryRequested`), so that one place decides: at most
`attempts` tries per request within `deadline` seconds, Retry-After honoured, jittered backoff,
and a breaker that stops hammering an API that keeps failing. A connection error is one more
transient failure under the same cap and deadline; the first one is announced with the host.
A failure no retry mends (TLS, a name that does not resolve), or a connection failure that
outlasts the retries before the host ever answered, is `HostUnreachable`: one line naming the
host and the cause, which ends the read instead of failing every securable alike.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from govkit.live.connection import hopeless, unreachable_message
from govkit.live.progress import Progress, wanted
from govkit.live.settings import ReaderSettings

T = TypeVar("T")

_TRANSIENT_STATUS = {429, 500, 502, 503, 504}
# 429s a read may meet beyond twice its answered requests before they count as failures.
_PACING_ALLOWANCE = 25


class SdkRetryRequested(Exception):
    """Raised from the SDK's retry sleep: the SDK wanted to retry; `__context__` says why."""


class CircuitOpen(Exception):
    """The breaker gave up: the API failed too often, so the request was not sent."""


class ClientConfigError(Exception):
    """The client cannot be used: the credentials or host could not be resolved, or the host
    cannot be reached at all (`HostUnreachable`). One line, no secrets."""


class HostUnreachable(ClientConfigError):
    """No request reached the host: the TLS handshake, the proxy, the name lookup or the
    connection failed before the host ever answered, so nothing further is worth trying."""


class ReadFailed(Exception):
    """A request that failed for good (after retries, or at once for a permanent error)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; `acquire` blocks for one.

    The rate adapts to throttling (AIMD, as TCP adapts its window): each 429 halves it, at
    most once a second so that one burst of 429s counts once, down to one request a second;
    while requests are answered it climbs back linearly, a tenth of the configured rate per
    second, to the configured rate. Saved-up tokens shrink with the rate, so a throttled
    client sends no burst either.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.ceiling = rate
        self.rate = rate
        self.floor = min(rate, 1.0)
        self.burst = max(1.0, float(burst))
        self.capacity = self.burst
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._changed = -math.inf  # when the rate last went down (or up)
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate <= 0:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)

    def slow_down(self) -> None:
        """A 429: halve the rate (multiplicative decrease)."""
        with self._lock:
            now = time.monotonic()
            if self.ceiling <= 0 or now - self._changed < 1.0:
                return
            self._set(max(self.floor, self.rate / 2), now)

    def speed_up(self) -> None:
        """An answered request: grow the rate with the time since it last changed."""
        with self._lock:
            if self.ceiling <= 0 or self.rate >= self.ceiling:
                return
            now = time.monotonic()
            self._set(min(self.ceiling, self.rate + self.ceiling / 10 * (now - self._changed)), now)

    def _set(self, rate: float, now: float) -> None:
        self._tokens = min(self._tokens + (now - self._stamp) * self.rate, self.capacity)
        self._stamp = now
        self.rate = rate
        self.capacity = max(1.0, self.burst * rate / self.ceiling)
        self._tokens = min(self._tokens, self.capacity)
        self._changed = now


class CircuitBreaker:
    """Closed, open (waiting out the cooldown), half-open (one probe), or given up."""

    def __init__(self, threshold: int, cooldown: float, max_trips: int) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.max_trips = max_trips
        self.trips_total = 0
        self._failures = 0
        self._trips = 0
        self._open_until: float | None = None
        self._probing = False
        self._gave_up = False
        self._cond = threading.Condition()

    def before(self) -> None:
        """Wait until a request may go out; raise CircuitOpen once the breaker gave up."""
        with self._cond:
            while True:
                if self._gave_up:
                    raise CircuitOpen(f"circuit breaker open after {self._trips} trips: not sent")
                if self._open_until is None:
                    return
                remaining = self._open_until - time.monotonic()
                if remaining <= 0 and not self._probing:
                    self._probing = True  # half-open: this caller is the probe
                    return
                self._cond.wait(remaining if remaining > 0 else None)

    def success(self) -> None:
        with self._cond:
            self._failures = self._trips = 0
            self._open_until, self._probing = None, False
            self._cond.notify_all()

    def failure(self) -> None:
        with self._cond:
            self._failures += 1
            if self._probing or self._failures >= self.threshold:
                self._trip()
            self._cond.notify_all()

    def _trip(self) -> None:
        self._trips += 1
        self.trips_total += 1
        self._failures = 0
        self._probing = False
        self._open_until = time.monotonic() + self.cooldown
        if self._trips > self.max_trips:
            self._gave_up = True


def classify(err: BaseException) -> tuple[bool, float | None, int | None, str]:
    """(transient?, Retry-After seconds, HTTP status, message) of an error from a call."""
    from databricks.sdk.errors.base import DatabricksError
    from requests import ConnectionError, Timeout

    if isinstance(err, SdkRetryRequested) and err.__context__ is not None:
        err = err.__context__
    if isinstance(err, DatabricksError):
        status = _status(err)
        retry_after = getattr(err, "retry_after_secs", None)
        transient = status in _TRANSIENT_STATUS or retry_after is not None
        code = err.error_code or (str(status) if status else "ERROR")
        return transient, retry_after, status, f"{code}: {err}"
    if isinstance(err, (ConnectionError, Timeout)):
        return not hopeless(err), None, None, connection_message(err)
    if isinstance(err, ReadFailed):
        transient = err.status in _TRANSIENT_STATUS
        return transient, None, err.status, str(err)
    return False, None, None, f"{type(err).__name__}: {err}"


def is_connection_failure(err: BaseException) -> bool:
    """True when `err` (or what the SDK retried on) is a failure to talk to the host at all."""
    from requests import ConnectionError, Timeout

    if isinstance(err, SdkRetryRequested) and err.__context__ is not None:
        err = err.__context__
    return isinstance(err, (ConnectionError, Timeout))


def connection_message(err: BaseException) -> str:
    """`cannot connect to https://host:port: <cause>` for a failure of requests."""
    request = getattr(err, "request", None)
    return unreachable_message(err, str(getattr(request, "url", None) or ""))


def _status(err: BaseException) -> int | None:
    """The HTTP status behind an SDK error, from the error class the SDK chose for it."""
    from databricks.sdk.errors.platform import STATUS_CODE_MAPPING

    for status, cls in STATUS_CODE_MAPPING.items():
        if isinstance(err, cls):
            return status
    return None


class Retrier:
    """Runs calls under the bucket and the breaker, with at most `attempts` tries each, none
    started after `deadline` seconds; waits and the first connection failure go to `progress`."""

    def __init__(self, settings: ReaderSettings, progress: Progress | None = None) -> None:
        self.settings = settings
        self.progress = progress or Progress("live read", wanted(settings.progress))
        self.bucket = TokenBucket(settings.rate_per_second, settings.burst)
        self.breaker = CircuitBreaker(
            settings.breaker_threshold, settings.breaker_cooldown, settings.breaker_max_trips
        )
        self._random = random.Random(settings.seed)
        self._random_lock = threading.Lock()
        self._answered = False  # whether the host answered any request of this read yet
        self._answered_at = time.monotonic()  # when a request was last answered (or the start)
        self.throttled_total = 0  # 429s seen
        self.answered_total = 0  # requests answered

    def call(self, fn: Callable[[], T]) -> T:
        """The result of `fn`, or ReadFailed with a one-line reason (no credentials in it).

        A 429 is the workspace pacing a large read, not a failure: it slows the bucket down,
        waits its Retry-After, and is tried again without using up an attempt or counting
        against the breaker, at most `throttle_attempts` times, for as long as the deadline
        allows and the read as a whole makes progress (some request answered within the last
        `deadline` seconds). Once the read has met more than 25 429s beyond twice the
        requests answered, the workspace is refusing rather than pacing, and 429s count
        against the breaker as 5xx answers do.
        """
        message = "not attempted"
        started = time.monotonic()
        attempt = throttled = 0
        while True:
            try:
                self.breaker.before()
            except CircuitOpen as exc:
                raise ReadFailed(f"{exc}; last error: {message}") from None
            self.bucket.acquire()
            try:
                result = fn()
            except Exception as exc:
                verdict = classify(exc)
                message = verdict[3]
                if verdict[2] == 429:
                    throttled += 1
                    wait = self._throttled(throttled, verdict[1], started, message)
                else:
                    attempt += 1
                    wait = self._failed(verdict, is_connection_failure(exc), attempt, started)
                self.progress.waiting(f"retrying in {wait:.1f}s: {message}")
                time.sleep(wait)
                self.progress.waiting("")
                continue
            self._answered = True
            self._answered_at = time.monotonic()
            with self._random_lock:
                self.answered_total += 1
            self.breaker.success()
            self.bucket.speed_up()
            return result

    def _throttled(
        self, throttled: int, retry_after: float | None, started: float, message: str
    ) -> float:
        """The wait before the next try of a throttled request; ReadFailed past the deadline."""
        s = self.settings
        self._answered = True
        self.bucket.slow_down()
        with self._random_lock:
            self.throttled_total += 1
            refusing = self.throttled_total > _PACING_ALLOWANCE + 2 * self.answered_total
        if refusing:
            # Far more 429s than answers: the workspace is refusing this read, not pacing it.
            self.breaker.failure()
        else:
            self.breaker.success()  # the API answered: it is up, only pacing this client
        if throttled >= s.throttle_attempts:
            raise ReadFailed(f"{message} (throttled {throttled} times)", 429) from None
        wait = self._wait(min(throttled, 8), retry_after)
        now = time.monotonic()
        if now - started + wait > s.deadline or now - self._answered_at + wait > s.deadline:
            raise ReadFailed(
                f"{message} (throttled {throttled} times; the next try would pass the "
                f"{s.deadline:.0f}s deadline)",
                429,
            ) from None
        return wait

    def _failed(
        self,
        verdict: tuple[bool, float | None, int | None, str],
        unreachable: bool,
        attempt: int,
        started: float,
    ) -> float:
        """The wait before the next try of a failed request (`verdict` from `classify`), or
        the error that ends it."""
        s = self.settings
        transient, retry_after, status, message = verdict
        if unreachable and not self._answered and (not transient or attempt == s.attempts):
            # The host never answered this read: every other request would fail alike.
            tries = f" (after {attempt} attempts)" if transient else ""
            raise HostUnreachable(message + tries) from None
        self._answered = self._answered or not unreachable
        if not transient:
            self.breaker.success()  # the API answered; the request itself is wrong
            raise ReadFailed(message, status) from None
        self.breaker.failure()
        if attempt == s.attempts:
            raise ReadFailed(f"{message} (after {s.attempts} attempts)") from None
        wait = self._wait(attempt, retry_after)
        if time.monotonic() - started + wait > s.deadline:
            raise ReadFailed(
                f"{message} (after {attempt} attempts; the next would pass the "
                f"{s.deadline:.0f}s deadline)"
            ) from None
        if unreachable:
            self.progress.notice(
                f"govkit: {message}; retrying (at most {s.attempts} attempts "
                f"within {s.deadline:.0f}s)"
            )
        return wait

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        s = self.settings
        backoff = min(s.backoff_cap, s.backoff_base * float(2 ** (attempt - 1)))
        with self._random_lock:
            jittered = backoff * (0.5 + self._random.random() / 2)
        if retry_after is None:
            return jittered
        # Retry-After is a floor: never earlier than the server asked, plus a little jitter.
        return min(float(retry_after), s.retry_after_cap) + jittered / 4
