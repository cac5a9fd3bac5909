"""GET requests to Microsoft Graph in `$batch` envelopes of 20, through msgraph-sdk.

The envelope goes through the SDK's request adapter (its auth provider, its retry handler for a
throttled envelope). Parts come back with a status each: a throttled part (429, 503, 504) is sent
again in a later envelope after its Retry-After (else a backoff), a bounded number of times;
what still fails is returned as a failure, never dropped. Envelopes run with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_BATCH = 20
RETRIED = frozenset({429, 503, 504})


class GraphUnreachable(Exception):
    """No envelope reached Graph (TLS, proxy, name lookup, refused, reset): one line naming
    the host and the cause; nothing is written, since nothing could be read."""


@dataclass(frozen=True)
class Get:
    """One GET: `url` relative to the Graph base (`/groups/...`), its headers, and a key."""

    key: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    """A part's final answer: status 0 when the envelope itself could not be sent."""

    status: int
    body: Any
    message: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class BatchSettings:
    concurrency: int = 4
    attempts: int = 4  # per part, for throttled parts
    backoff: float = 1.0  # seconds, doubled per attempt, when a part has no Retry-After
    sdk_retry_delay: float = 0.5  # the SDK retry handler's base delay for a throttled envelope


class Batcher:
    """Sends GETs in envelopes of at most 20 and counts the HTTP requests it made."""

    def __init__(self, adapter: Any, base_url: str, settings: BatchSettings) -> None:
        self.adapter = adapter
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.requests = 0
        self._answered = False  # whether Graph answered any envelope of this read yet
        self._limit = asyncio.Semaphore(settings.concurrency)

    def relative(self, url: str) -> str:
        """A next link (absolute, from Graph) as the relative URL that a batch part takes."""
        if url.startswith(self.base_url):
            return url[len(self.base_url) :] or "/"
        return url

    async def get_all(self, gets: Sequence[Get]) -> dict[str, Answer]:
        """Every GET's final answer, by key."""
        answers: dict[str, Answer] = {}
        pending = list(gets)
        for attempt in range(self.settings.attempts):
            if not pending:
                break
            chunks = [pending[i : i + MAX_BATCH] for i in range(0, len(pending), MAX_BATCH)]
            results = await asyncio.gather(*(self._send(chunk) for chunk in chunks))
            retry: list[Get] = []
            wait = 0.0
            for chunk, result in zip(chunks, results, strict=False):
                for get in chunk:
                    answer, after = result[get.key]
                    answers[get.key] = answer
                    if answer.status in RETRIED and attempt + 1 < self.settings.attempts:
                        retry.append(get)
                        wait = max(wait, after or self.settings.backoff * 2**attempt)
            if retry:
                await asyncio.sleep(wait + random.uniform(0, 0.1))
            pending = retry
        return answers

    async def _send(self, chunk: Sequence[Get]) -> dict[str, tuple[Answer, float | None]]:
        import httpx
        from kiota_abstractions.api_error import APIError
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation
        from kiota_http.middleware.options import RetryHandlerOption

        ids = {str(i + 1): get for i, get in enumerate(chunk)}
        envelope = {
            "requests": [
                {"id": i, "method": "GET", "url": get.url, "headers": dict(get.headers)}
                for i, get in ids.items()
            ]
        }
        info = RequestInformation(Method.POST)
        info.url = f"{self.base_url}/$batch"
        info.headers.try_add("Accept", "application/json")
        info.headers.try_add("Content-Type", "application/json")
        info.content = json.dumps(envelope).encode()
        info.add_request_options([RetryHandlerOption(delay=self.settings.sdk_retry_delay)])
        async with self._limit:
            self.requests += 1
            try:
                raw = await self.adapter.send_primitive_async(info, "bytes", {"XXX": _odata()})
                parsed = json.loads(raw or b"{}")
            except (APIError, OSError, ValueError) as exc:
                self._answered = self._answered or bool(_status(exc))
                failed = Answer(_status(exc), None, _describe(exc))
                return {get.key: (failed, None) for get in chunk}
            except httpx.HTTPError as exc:
                from govkit.live.connection import unreachable_message

                said = unreachable_message(exc, self.base_url)
                if isinstance(exc, httpx.TransportError) and not self._answered:
                    raise GraphUnreachable(said) from None
                failed = Answer(0, None, f"Graph unreachable: {said}")
                return {get.key: (failed, None) for get in chunk}
        self._answered = True
        out: dict[str, tuple[Answer, float | None]] = {}
        for part in parsed.get("responses", []) if isinstance(parsed, dict) else []:
            get = ids.get(str(part.get("id")))
            if get is None:
                continue
            status = int(part.get("status") or 0)
            body = part.get("body")
            headers = {str(k).lower(): str(v) for k, v in (part.get("headers") or {}).items()}
            out[get.key] = (Answer(status, body, _part_message(status, body)), _after(headers))
        for get in chunk:
            out.setdefault(get.key, (Answer(0, None, "no answer in the batch response"), None))
        return out


def _odata() -> Any:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    return ODataError


def _status(exc: Exception) -> int:
    return int(getattr(exc, "response_status_code", 0) or 0)


def _describe(exc: Exception) -> str:
    status = _status(exc)
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    message = getattr(error, "message", None) or str(exc).splitlines()[0]
    if status:
        return f"HTTP {status}{f' {code}' if code else ''}: {message}"
    return f"{type(exc).__name__}: {message}"


def _part_message(status: int, body: Any) -> str:
    if 200 <= status < 300:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"HTTP {status} {error.get('code', '')}: {error.get('message', '')}".strip()
    return f"HTTP {status}"


def _after(headers: dict[str, str]) -> float | None:
    try:
        value = float(headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if value > 0 else None
