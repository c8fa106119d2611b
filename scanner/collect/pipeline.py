"""The HTTP pipeline every SDK client of a scan shares: read-only, throttled, retried, logged
without secrets.

The generated clients accept a complete `policies` list; building it here (instead of taking each
client's default) is what lets us leave out the one default policy that writes
(`ARMAutoResourceProviderRegistrationPolicy` POSTs a provider registration on a 409) and the one
that can log an `Authorization` header (`NetworkTraceLoggingPolicy`).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import (
    ContentDecodePolicy,
    CustomHookPolicy,
    HeadersPolicy,
    HTTPPolicy,
    ProxyPolicy,
    RequestIdPolicy,
    RetryPolicy,
    SansIOHTTPPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scanner import __version__
from scanner.collect.auth import is_loopback_http
from scanner.collect.throttle import Throttle, throttle_key

LOG = logging.getLogger("bcdr_scan.http")
ALLOWED_METHODS = frozenset({"GET"})
# Query parameters shown in logs; any other value is replaced (ARM's are not secret, but a URL
# from a nextLink is opaque to us).
_LOGGED_QUERY = {"api-version", "$expand", "$filter", "$top"}
# Time to wait on a 429 that carries no Retry-After (ARM always sends one).
_DEFAULT_RETRY_AFTER = 5.0
DEFAULT_BACKOFF = 0.8


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or its millisecond variants."""
    value = headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                return None
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) / 1000)
            except ValueError:
                return None
    return None


class ReadOnlyViolation(RuntimeError):
    """A request other than GET reached the transport: refused, never sent."""


@dataclass
class RequestStats:
    """What the scan asked of ARM (for the progress display, the report source and the bench)."""

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0

    def record(self, status: int | None) -> None:
        with self.lock:
            self.requests += 1
            if status is None:
                self.errors += 1
            else:
                self.statuses[status] += 1

    @property
    def throttled(self) -> int:
        return self.statuses.get(429, 0)


class LoopbackHttpPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Lets the bearer-token policy talk plain HTTP to a loopback address (a local ARM emulator);
    anywhere else azure-core's refusal to send a token without TLS stands."""

    def on_request(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        if is_loopback_http(request.http_request.url):
            request.context["enforce_https"] = False


class ReadOnlyPolicy(HTTPPolicy):  # type: ignore[type-arg]
    """The last policy before the wire: anything but GET is refused, whoever built it."""

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        method = request.http_request.method.upper()
        if method not in ALLOWED_METHODS:
            raise ReadOnlyViolation(f"bcdr-scan is read-only: refused {method} {_loggable(request.http_request.url)}")
        return self.next.send(request)


class ThrottlePolicy(HTTPPolicy):  # type: ignore[type-arg]
    """Per attempt (inside the retry loop): wait for the subscription's gate and a token, and
    close the gate when ARM answers 429."""

    def __init__(self, throttle: Throttle) -> None:
        super().__init__()
        self.throttle = throttle

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        key = throttle_key(request.http_request.url)
        waited = self.throttle.acquire(key)
        if waited >= 0.05:
            LOG.info("throttle: waited %.2fs for subscription %s", waited, key)
        response = self.next.send(request)
        http = response.http_response
        if http.status_code == 429:
            wait = retry_after(http.headers)
            self.throttle.block(key, _DEFAULT_RETRY_AFTER if wait is None else wait)
            LOG.info("throttle: 429 for subscription %s, Retry-After %s", key, wait)
        remaining = http.headers.get("x-ms-ratelimit-remaining-subscription-reads")
        if remaining and remaining.isdigit():
            self.throttle.observe_remaining(key, int(remaining))
        return response


class RequestLogPolicy(HTTPPolicy):  # type: ignore[type-arg]
    """Counts every attempt and logs one line per attempt (method, URL, status, time), no headers."""

    def __init__(self, stats: RequestStats) -> None:
        super().__init__()
        self.stats = stats

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        http_request = request.http_request
        started = time.monotonic()
        try:
            response = self.next.send(request)
        except AzureError as exc:
            self.stats.record(None)
            LOG.info("%s %s -> %s after %.0f ms", http_request.method, _loggable(http_request.url),
                     type(exc).__name__, (time.monotonic() - started) * 1000)
            raise
        status = response.http_response.status_code
        self.stats.record(status)
        LOG.info("%s %s -> %s in %.0f ms", http_request.method, _loggable(http_request.url), status,
                 (time.monotonic() - started) * 1000)
        return response


class ReadRetryPolicy(RetryPolicy):
    """azure-core's retries, except for a TLS certificate that does not verify: no retry makes
    it verify, so the read fails at once (with the reason) instead of after minutes of backoff."""

    def increment(self, settings: dict[str, Any], response: Any = None, error: Exception | None = None) -> bool:
        if error is not None and _certificate_failure(error):
            return False
        return bool(super().increment(settings, response=response, error=error))


def _certificate_failure(error: BaseException) -> bool:
    seen: set[int] = set()
    node: BaseException | None = error
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(node):
            return True
        node = getattr(node, "inner_exception", None) or node.__cause__ or node.__context__
    return False


def retry_policy(backoff: float = DEFAULT_BACKOFF) -> RetryPolicy:
    """Retries for reads: 429 (after Retry-After), 408 and 5xx, connection errors and timeouts,
    with exponential backoff (0, 2x, 4x, ... `backoff` seconds, at most a minute apart); an
    operation gives up after 10 minutes."""
    return ReadRetryPolicy(retry_total=8, retry_connect=4, retry_read=4, retry_status=6,
                           retry_backoff_factor=backoff, retry_backoff_max=60, timeout=600)


def build_policies(credential: TokenCredential, scope: str, throttle: Throttle,
                   stats: RequestStats, backoff: float = DEFAULT_BACKOFF) -> list[Any]:
    """A fresh policy list for one client (HTTP policies are chained per pipeline, so they
    cannot be shared between clients; the throttle, stats and credential are)."""
    return [
        RequestIdPolicy(),
        HeadersPolicy(),
        UserAgentPolicy(base_user_agent=f"bcdr-scan/{__version__}"),
        ProxyPolicy(),
        ContentDecodePolicy(),
        retry_policy(backoff),
        LoopbackHttpPolicy(),
        ARMChallengeAuthenticationPolicy(credential, scope),
        ThrottlePolicy(throttle),
        CustomHookPolicy(),
        RequestLogPolicy(stats),
        ARMHttpLoggingPolicy(),
        ReadOnlyPolicy(),
    ]


def build_transport(max_concurrency: int, verify: str | bool, read_timeout: float = 60) -> RequestsTransport:
    """One connection pool for all clients, as large as the worker pool, no urllib3 retries
    (the pipeline retries), TLS verification always on."""
    session = requests.Session()
    session.trust_env = True
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max_concurrency + 4,
                          max_retries=Retry(total=False, redirect=False, raise_on_status=False))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return RequestsTransport(session=session, session_owner=False, connection_verify=verify,
                             connection_timeout=10, read_timeout=read_timeout)


def _loggable(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v if k in _LOGGED_QUERY else "REDACTED") for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="$,'"), ""))
