"""One line for a request that never reached its host: the host, and why (TLS, the proxy, the
name lookup, or the operating system's words), whichever HTTP client failed (requests for
databricks-sdk, httpx for msgraph-sdk); no path, query or credentials in it."""

from __future__ import annotations

import os
import re
import socket
import ssl
from urllib.parse import urlsplit


def unreachable_message(err: BaseException, url: str) -> str:
    """`cannot connect to https://host:port: <cause>` for a failure talking to `url`."""
    parts = urlsplit(url)
    host = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "the host"
    chain = exception_chain(err)
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None or "SSLError" in {type(e).__name__ for e in chain}:
        return f"cannot connect to {host}: {_tls_reason(tls, parts.scheme)}"
    proxy = proxy_for(url)
    if proxy:
        reason = root_reason(chain) or type(err).__name__
        return f"cannot connect to {host} through the proxy {proxy}: {reason}"
    lookup = _lookup_failure(chain)
    if lookup is not None:
        return f"cannot connect to {host}: cannot resolve {parts.hostname}: {lookup.strerror}"
    timed_out = any("Timeout" in type(e).__name__ for e in chain)
    verb = "timed out talking to" if timed_out else "cannot connect to"
    return f"{verb} {host}: {root_reason(chain) or type(err).__name__}"


def hopeless(err: BaseException) -> bool:
    """A failure that no retry mends: the TLS handshake, or a host name that does not exist."""
    chain = exception_chain(err)
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return True
    lookup = _lookup_failure(chain)
    return lookup is not None and lookup.errno in (socket.EAI_NONAME, socket.EAI_NODATA)


def exception_chain(err: BaseException) -> list[BaseException]:
    """`err` and every exception down its causes, contexts, `reason`s and nested args."""
    chain: list[BaseException] = []
    todo: list[object] = [err]
    while todo:
        e = todo.pop(0)
        # urllib3 keeps the cause in `reason`, which for an ssl.SSLError is a plain string
        if not isinstance(e, BaseException) or any(e is c for c in chain):
            continue
        chain.append(e)
        todo.extend([getattr(e, "reason", None), *e.args, e.__cause__, e.__context__])
    return chain


def root_reason(chain: list[BaseException]) -> str:
    """The operating system's words for a connection failure, found down the cause chain."""
    for e in chain:
        if isinstance(e, OSError) and isinstance(e.errno, int) and e.errno > 0:
            return os.strerror(e.errno)  # "Connection refused", also behind asyncio's words
        if isinstance(e, OSError) and e.strerror:
            return e.strerror
    for e in chain:
        # http.client's "Remote end closed connection without response", and the like
        if type(e).__module__ in ("builtins", "http.client", "socket") and e.args:
            return str(e.args[0])
    return ""


def proxy_for(url: str) -> str:
    """The proxy the environment names for `url` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and
    NO_PROXY, as requests and httpx read them), as scheme://host:port; "" for none."""
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    proxies = getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all") or ""
    if not proxy or not parts.hostname or proxy_bypass(parts.netloc):
        return ""
    where = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return (
        f"{where.scheme}://{where.hostname}:{where.port}"
        if where.port
        else f"{where.scheme}://{where.hostname}"
    )


def _lookup_failure(chain: list[BaseException]) -> OSError | None:
    return next((e for e in chain if isinstance(e, socket.gaierror)), None)


def _tls_reason(found: ssl.SSLError | None, scheme: str) -> str:
    """The TLS failure in words; a plain-HTTP server answering a TLS hello gets a hint."""
    if found is None:
        return "TLS handshake failed"
    if isinstance(found, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {found.verify_message}"
    words = re.sub(r"^\[SSL: [A-Z_]+\] | \(_ssl\.c:\d+\)$", "", str(found.strerror or found))
    hint = ""
    if found.reason == "WRONG_VERSION_NUMBER" and scheme == "https":
        hint = " (the server does not speak TLS: is it plain http://?)"
    return f"TLS handshake failed: {words}{hint}"
