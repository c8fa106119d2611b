"""The HTTP pipeline every SDK client of a scan shares: read-only, throttled, retried, logged
without secrets.

The generated clients accept a complete `policies` list; building it here (instead of taking each
client's default) is what lets us leave out the one default policy that writes
(`ARMAutoResourceProviderRegistrationPolicy` POSTs a provider registration on a 409) and the one
that can log an `Authorization` header (`NetworkTraceLoggingPolicy`).
"""

from __future__ import annotations

import json
import logging
import math
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from azure.core.credentials import TokenCredential
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
from urllib3.util.retry import Retry

from scanner import __version__
from scanner.collect.auth import is_loopback_http
from scanner.collect.bounds import (
    DEFAULT_LIMITS,
    RETRY_AFTER_CAP,
    RETRY_WAIT_BUDGET,
    ForeignOrigin,
    Limits,
    MalformedPayload,
    PageLimit,
    RequestDeadline,
    current_read,
)
from scanner.collect.throttle import Throttle, throttle_key
from scanner.collect.transport import BoundedSession, WatchedAdapter

LOG = logging.getLogger("bcdr_scan.http")
ALLOWED_METHODS = frozenset({"GET"})
# The one request that is not a GET: an Azure Resource Graph query (it reads, but its query is a
# POST body; https://learn.microsoft.com/rest/api/azureresourcegraph/resourcegraph/resources/resources).
GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"
# Query parameters shown in logs; any other value is replaced (ARM's are not secret, but a URL
# from a nextLink is opaque to us).
_LOGGED_QUERY = {"api-version", "$expand", "$filter", "$top"}
# Time to wait on a 429 that carries no Retry-After (ARM always sends one).
_DEFAULT_RETRY_AFTER = 5.0
DEFAULT_BACKOFF = 0.8


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or its millisecond variants;
    None when absent or unreadable. Whatever the server wrote, the answer is a number >= 0 or
    infinity (`inf`, a date centuries ahead): the caller compares it with its cap."""
    value = headers.get("Retry-After")
    if not value and headers.get("x-ms-user-quota-remaining") == "0":  # Resource Graph's user quota
        return _hms(headers.get("x-ms-user-quota-resets-after") or "")
    if value:
        seconds = _number(value)
        if seconds is None:
            try:
                seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError, OverflowError, IndexError):
                return None
        return max(0.0, seconds)
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            millis = _number(value)
            return None if millis is None else max(0.0, millis / 1000)
    return None


def _hms(text: str) -> float | None:
    """Seconds in Resource Graph's `hh:mm:ss` quota reset time; None when unreadable
    (https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 4 for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts)
    return float(hours * 3600 + minutes * 60 + seconds)


def is_graph_query(method: str, url: str) -> bool:
    """`POST {arm}/providers/Microsoft.ResourceGraph/resources?api-version=...`, and nothing else."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return method.upper() == "POST" and parts.path.lower() == GRAPH_PATH and [k for k, _ in query] == ["api-version"]


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except (ValueError, OverflowError):
        return None
    return None if math.isnan(value) else value


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


def origin(url: str) -> str | None:
    """`scheme://host:port` of a URL, lower case, default port made explicit; None for a URL
    that names no plain origin (no host, a bad port, user info that requests would send)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname or parts.username is not None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname.lower()
    return f"{scheme}://{host}:{port or (443 if scheme == 'https' else 80)}"


class OriginPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Ahead of the bearer-token policy: a request to any origin other than the configured ARM
    endpoint's (scheme, host and port) is refused before it is built further, let alone sent.
    The SDK pagers follow absolute nextLinks as ARM writes them; this is what keeps a nextLink
    to another host from receiving the token."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__()
        self.allowed = frozenset(o for o in (origin(u) for u in allowed) if o)

    def on_request(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        url = request.http_request.url
        found = origin(url)
        if found not in self.allowed:
            where = found or f"an unusable URL ({_loggable(url)[:120]})"
            LOG.info("refused a request to %s: not the ARM endpoint", where)
            raise ForeignOrigin(f"refused to send a request to {where}: not the ARM endpoint "
                                f"({', '.join(sorted(self.allowed))}); the bearer token is sent nowhere else")


class BoundsPolicy(HTTPPolicy):  # type: ignore[type-arg]
    """Per attempt, inside the retries: nothing is sent once the read's deadline (its own or the
    scan's) has passed, and every page of a list is checked before an SDK pager believes it (a
    pager reads `{}` as an empty list): an object with a `value` array, a string nextLink if any,
    at most `max_pages` pages, and no nextLink back to a page already read."""

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        read = current_read()
        if read is not None:
            read.check_time()
        response = self.next.send(request)
        http = response.http_response
        url = request.http_request.url
        # A list's later pages are checked as pages wherever their nextLink pointed.
        listing = is_collection(url) or (read is not None and read.pages > 0)
        if http.status_code == 200 and request.http_request.method.upper() == "GET" and listing:
            next_link = _list_page(http.text())
            if read is not None:
                _count_page(read, url, next_link)
        return response


def is_collection(url: str) -> bool:
    """Whether an ARM URL lists (`/subscriptions`, `.../resourceGroups`, `.../providers/NS/type`,
    `.../type/name/child`) rather than names one document."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if "providers" not in lowered:
        return len(segments) % 2 == 1
    after = len(segments) - 1 - lowered[::-1].index("providers")
    return (len(segments) - after - 1) % 2 == 0


def _list_page(text: str) -> str | None:
    """The nextLink of a list page, after checking that it is one."""
    try:
        page = json.loads(text)
    except (ValueError, RecursionError):
        return None  # not JSON at all: the SDK's own parsing reports it
    if not isinstance(page, dict) or not isinstance(page.get("value"), list):
        raise MalformedPayload("a list response without a 'value' array")
    next_link = page.get("nextLink")
    if next_link is not None and not isinstance(next_link, str):
        raise MalformedPayload("a list response whose nextLink is not a string")
    return next_link or None


def _page_key(url: str) -> tuple[str, str, str]:
    """A page as a server names it: origin, path and query, api-version aside (the SDKs set their own)."""
    parts = urlsplit(url)
    query = sorted((k.lower(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if k.lower() != "api-version")
    return origin(url) or "", parts.path.rstrip("/").lower(), urlencode(query)


def _count_page(read: Any, url: str, next_link: str | None) -> None:
    read.pages += 1
    read.seen.add(_page_key(url))
    if next_link is None:
        return
    if _page_key(urljoin(url, next_link)) in read.seen:
        raise PageLimit("the list's nextLink leads back to a page already read (a loop)")
    if read.pages >= read.max_pages:
        raise PageLimit(f"the list has more than {read.max_pages} pages")


class ReadOnlyPolicy(HTTPPolicy):  # type: ignore[type-arg]
    """The last policy before the wire: anything but GET (and the Resource Graph query POST) is
    refused, whoever built it."""

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        method = request.http_request.method.upper()
        if method not in ALLOWED_METHODS and not is_graph_query(method, request.http_request.url):
            raise ReadOnlyViolation(f"bcdr-scan is read-only: refused {method} {_loggable(request.http_request.url)}")
        return self.next.send(request)


class ThrottlePolicy(HTTPPolicy):  # type: ignore[type-arg]
    """Per attempt (inside the retry loop): wait for the subscription's gate and a token, and
    close the gate when ARM answers 429 (for its `Retry-After`, when within `retry_after_cap`)."""

    def __init__(self, throttle: Throttle, retry_after_cap: float) -> None:
        super().__init__()
        self.throttle = throttle
        self.retry_after_cap = retry_after_cap

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        key = throttle_key(request.http_request.url)
        read = current_read()
        if read is not None:
            read.check_time(self.throttle.ready_in(key))
        waited = self.throttle.acquire(key)
        if waited >= 0.05:
            LOG.info("throttle: waited %.2fs for subscription %s", waited, key)
        response = self.next.send(request)
        http = response.http_response
        if http.status_code == 429:
            wait = retry_after(http.headers)
            # A wait beyond the cap is not honoured (the read is deferred to the re-read pass), so
            # it holds the subscription back no longer than a 429 without Retry-After does.
            self.throttle.block(key, _DEFAULT_RETRY_AFTER if wait is None or wait > self.retry_after_cap else wait)
            LOG.info("throttle: 429 for subscription %s, Retry-After %s", key, wait)
        remaining = http.headers.get("x-ms-ratelimit-remaining-subscription-reads")
        if remaining and remaining.isdigit():
            self.throttle.observe_remaining(key, int(remaining))
        if http.status_code != 429 and http.headers.get("x-ms-user-quota-remaining") == "0":
            # Resource Graph's quota is spent: wait for its window to reset before the next query.
            wait = retry_after(http.headers)
            self.throttle.block(key, _DEFAULT_RETRY_AFTER if wait is None else min(wait, self.retry_after_cap))
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
        except Exception as exc:  # an attempt that got no usable answer (AzureError or a bound)
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
    """azure-core's retries, within the scan's bounds:

    - only 408, 429 and 5xx answers are retried (azure-core would retry any status that carries
      a Retry-After), after their Retry-After when it is at most `retry_after_cap` seconds;
      a longer one is not waited for: the answer stands, and the read is tried again in the
      collector's final re-read pass;
    - no wait runs past the read's deadline;
    - the waits no usable Retry-After asked for (backoff) add up to at most `wait_budget`
      seconds per request: a server that fails every attempt, or answers 429 with a Retry-After
      that is negative, in the past or garbage, ends the request after seconds, not minutes
      (the re-read pass tries it once more);
    - a TLS certificate that does not verify, or an attempt that ran out its whole-request
      deadline (a slow drip), is not retried at once: no retry makes the certificate verify,
      and a server that drips does it again."""

    def __init__(self, retry_after_cap: float, wait_budget: float = RETRY_WAIT_BUDGET, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_after_cap = retry_after_cap
        self.wait_budget = wait_budget

    def is_retry(self, settings: dict[str, Any], response: PipelineResponse) -> bool:  # type: ignore[type-arg]
        status = response.http_response.status_code
        if not (status in (408, 429) or 500 <= status <= 599) or not settings["total"]:
            return False
        wait = retry_after(response.http_response.headers)
        return wait is None or wait <= self.retry_after_cap

    def get_retry_after(self, response: PipelineResponse) -> float | None:  # type: ignore[type-arg]
        wait = retry_after(response.http_response.headers)
        return None if wait is None else min(wait, self.retry_after_cap)

    def sleep(self, settings: dict[str, Any], transport: Any,
              response: PipelineResponse | None = None) -> None:  # type: ignore[type-arg]
        wait = self.get_retry_after(response) if response is not None else None
        if not wait:
            wait = self.get_backoff_time(settings)
        read = current_read()
        if read is not None:
            read.check_time(wait)
        if wait > 0:
            transport.sleep(wait)

    def increment(self, settings: dict[str, Any], response: Any = None, error: Exception | None = None) -> bool:
        if error is not None and (certificate_failure(error) or isinstance(error, RequestDeadline)):
            return False
        if not super().increment(settings, response=response, error=error):
            return False
        wait = self._unasked_wait(settings, response)
        if wait is None:
            return True
        spent = settings.get("unasked_waits", 0.0) + wait
        settings["unasked_waits"] = spent
        return spent <= self.wait_budget

    def _unasked_wait(self, settings: dict[str, Any], response: Any) -> float | None:
        """The wait before the next attempt when no usable Retry-After sets it (None when one does).
        A 429 without one closes the subscription's gate for the default time (ThrottlePolicy): the
        next attempt waits at least that long."""
        if not isinstance(response, PipelineResponse):  # an error: no answer at all
            return self.get_backoff_time(settings)
        if self.get_retry_after(response):
            return None
        backoff = self.get_backoff_time(settings)
        unreadable = retry_after(response.http_response.headers) is None
        return max(backoff, _DEFAULT_RETRY_AFTER) if response.http_response.status_code == 429 and unreadable \
            else backoff


def certificate_failure(error: BaseException) -> bool:
    seen: set[int] = set()
    node: BaseException | None = error
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(node):
            return True
        node = getattr(node, "inner_exception", None) or node.__cause__ or node.__context__
    return False


def retry_policy(backoff: float = DEFAULT_BACKOFF, retry_after_cap: float = RETRY_AFTER_CAP,
                 wait_budget: float = RETRY_WAIT_BUDGET) -> RetryPolicy:
    """Retries for reads: 429 (after Retry-After), 408 and 5xx, connection errors and timeouts,
    with exponential backoff (0, 2x, 4x, ... `backoff` seconds, at most a minute apart, at most
    `wait_budget` seconds of backoff in all); an operation gives up after 10 minutes."""
    return ReadRetryPolicy(retry_after_cap, wait_budget, retry_total=8, retry_connect=4, retry_read=4,
                           retry_status=6, retry_backoff_factor=backoff, retry_backoff_max=60, timeout=600)


def build_policies(credential: TokenCredential, scope: str, throttle: Throttle, stats: RequestStats,
                   backoff: float = DEFAULT_BACKOFF, *, endpoint: str, limits: Limits = DEFAULT_LIMITS) -> list[Any]:
    """A fresh policy list for one client (HTTP policies are chained per pipeline, so they
    cannot be shared between clients; the throttle, stats and credential are)."""
    return [
        RequestIdPolicy(),
        HeadersPolicy(),
        UserAgentPolicy(base_user_agent=f"bcdr-scan/{__version__}"),
        ProxyPolicy(),
        OriginPolicy([endpoint]),
        ContentDecodePolicy(),
        retry_policy(backoff, limits.retry_after_cap, limits.retry_wait_budget),
        BoundsPolicy(),
        LoopbackHttpPolicy(),
        ARMChallengeAuthenticationPolicy(credential, scope),
        ThrottlePolicy(throttle, limits.retry_after_cap),
        CustomHookPolicy(),
        RequestLogPolicy(stats),
        ARMHttpLoggingPolicy(),
        ReadOnlyPolicy(),
    ]


def build_transport(max_concurrency: int, verify: str | bool, read_timeout: float = 60,
                    limits: Limits = DEFAULT_LIMITS) -> RequestsTransport:
    """One connection pool for all clients, as large as the worker pool, no urllib3 retries
    (the pipeline retries), TLS verification always on, every attempt bounded in time and size
    (scanner.collect.transport)."""
    session = BoundedSession(limits.request_deadline, limits.max_response_bytes)  # reads proxies from the environment
    adapter = WatchedAdapter(pool_connections=4, pool_maxsize=max_concurrency + 4,
                             max_retries=Retry(total=False, redirect=False, raise_on_status=False))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return RequestsTransport(session=session, session_owner=False, connection_verify=verify,
                             connection_timeout=10, read_timeout=min(read_timeout, limits.request_deadline))


def _loggable(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v if k in _LOGGED_QUERY else "REDACTED") for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="$,'"), ""))
