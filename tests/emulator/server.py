"""A local HTTPS server that answers like Azure Resource Manager for a given estate.

Real ARM paths (the ones the azure-mgmt SDKs call), api-version required, bearer token
required, small pages linked by absolute `nextLink`s, ARM error bodies, per-subscription
token-bucket throttling (optional), and injectable faults. Every request is recorded.

Hostile and broken answers, for the collector's bounds (see `Fault`): any body (`{}`, a page
without ids), nextLinks to another origin, to the same page or in an endless chain, any
Retry-After text, gzip bombs, responses that drip one byte at a time, and a storm mode (429 on
every Nth request, 500 on every Mth). A document text holding `ECHO_TOKEN` is served with the
caller's bearer token in its place, as a server that echoes request headers would.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import socket
import ssl
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import trustme

from tests.emulator.estate import (
    LOCKS_SUFFIX,
    MANAGEMENT_GROUPS,
    Estate,
    Index,
    _subscription_level_collection,
)

DEFAULT_TOKEN = "emulator-token-do-not-log"
ECHO_TOKEN = "{{bearer-token}}"
# Properties ARM returns only when asked with $expand (per resource type, lower-case).
EXPAND_ONLY: dict[str, tuple[str, ...]] = {"microsoft.storage/storageaccounts": ("geoReplicationStats",)}
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)")
GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"
# The one query the collector sends (scanner.collect.graph.where_query); anything else is refused.
_GRAPH_QUERY = re.compile(r"^resources \| where type in~ \(((?:'[a-z0-9.]+/[a-z0-9./]+'(?:, )?)+)\) "
                          r"\| distinct subscriptionId, type \| order by subscriptionId asc, type asc$")


@dataclass
class Graph:
    """Azure Resource Graph's side of the emulator: pages of at most `page_size` rows, a per-user
    quota of `quota` queries per `window` seconds (429 beyond it, with the quota headers), and
    `truncate`: answers cut short with `resultTruncated` and no `$skipToken`."""

    page_size: int = 1000
    quota: int = 15
    window: float = 5.0
    truncate: bool = False
    _used: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[bool, dict[str, str]]:
        """(allowed, quota headers)."""
        with self._lock:
            now = time.monotonic()
            self._used = [t for t in self._used if now - t < self.window]
            allowed = len(self._used) < self.quota
            if allowed:
                self._used.append(now)
            resets = self.window - (now - self._used[0]) if self._used else 0.0
            seconds = max(0, math.ceil(resets))
            return allowed, {"x-ms-user-quota-remaining": str(self.quota - len(self._used)),
                             "x-ms-user-quota-resets-after": f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
                                                             f"{seconds % 60:02d}"}


@dataclass
class Fault:
    """Answer requests whose lower-cased `path?query` matches `pattern` (re.search) with `status`
    and an ARM error body, after `latency` seconds.

    `times`: how many attempts of each distinct URL are affected (None: all of them), so a retry of
    the same URL eventually succeeds. `truncate` serves the real body cut short with HTTP 200;
    `status=None` serves the real answer (a latency-only fault: a slow response).

    Hostile answers (with `status=None` or 200, applied to the real answer unless `body` is set):
    `body` is served as JSON instead (with an error status too: an error body of any shape);
    `next_link` replaces a list page's nextLink (`{url}`: the emulator's base URL, `{path}` and
    `{query}`: the request's, `{n}`: a number that grows with every use, for an endless chain);
    `encoding` ("gzip" or "deflate") compresses the answer as ARM does when asked to; `gzip_bomb`
    serves that many zero bytes gzip-compressed; `drip` sends the response one byte every `drip`
    seconds, from its status line (`drip_headers`) or from its body; `headers` are added to the
    answer.
    """

    pattern: str
    status: int | None = 500
    times: int | None = 1
    retry_after: str | None = None
    truncate: bool = False
    latency: float = 0.0
    code: str | None = None
    body: Any = None
    next_link: str | None = None
    encoding: str | None = None
    gzip_bomb: int = 0
    drip: float = 0.0
    drip_headers: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, url: str) -> bool:
        return re.search(self.pattern, url) is not None


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: str
    status: int
    authorized: bool
    api_version: str | None
    at: float = 0.0  # time.monotonic() when the answer was ready
    authorization: str | None = None  # the Authorization header as received, if any


@dataclass
class Storm:
    """Transient faults by request count, whatever the URL: 429 on every `every_429`th request
    (with `retry_after`), otherwise 500 on every `every_500`th. With `random`, each request fails
    independently at the same rates (1 in `every_429`, then 1 in `every_500`), so that where the
    faults fall does not depend on how the client's requests happen to interleave."""

    every_429: int = 4
    every_500: int = 7
    retry_after: str = "1"
    random: bool = False
    seed: int | None = None
    _count: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _draw: Random = field(default_factory=Random)

    def __post_init__(self) -> None:
        self._draw.seed(self.seed)

    def status(self) -> int | None:
        n = next(self._count)
        if self.random:
            return 429 if self._hit(self.every_429) else 500 if self._hit(self.every_500) else None
        if self.every_429 and n % self.every_429 == 0:
            return 429
        if self.every_500 and n % self.every_500 == 0:
            return 500
        return None

    def _hit(self, every: int) -> bool:
        return bool(every) and self._draw.random() < 1 / every


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    drip: float = 0.0
    drip_headers: bool = False


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class ArmThrottle:
    """ARM's read throttling: a token bucket per subscription (250 burst, 25 per second)."""

    capacity: float = 250
    rate: float = 25.0
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> tuple[bool, float, int]:
        """(allowed, retry-after seconds, remaining)."""
        with self._lock:
            now = time.monotonic()
            bucket = self._buckets.setdefault(key, _Bucket(self.capacity, now))
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return True, 0.0, int(bucket.tokens)
            return False, (1 - bucket.tokens) / self.rate, 0


class Emulator:
    def __init__(self, estate: Estate | str | Path, *, token: str = DEFAULT_TOKEN, page_size: int = 2,
                 latency: float = 0.0, faults: list[Fault] | None = None, throttle: ArmThrottle | None = None,
                 shift_times: bool = True, host: str = "127.0.0.1", port: int = 0, tls: bool = True,
                 storm: Storm | None = None, ca: trustme.CA | None = None, graph: Graph | None = None) -> None:
        loaded = estate if isinstance(estate, Estate) else Estate.load(estate)
        self.estate = loaded.shifted_to(datetime.now(UTC)) if shift_times else loaded
        self.index: Index = self.estate.index()
        self.token = token
        self.page_size = page_size
        self.latency = latency
        self.faults: list[Fault] = list(faults or [])
        self.throttle = throttle
        self.storm = storm
        self.graph = graph or Graph()
        self.ca = ca or trustme.CA()  # share one with another emulator so a client trusts both
        self._links = itertools.count(1)
        self.requests: list[Recorded] = []
        self._attempts: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self._host, self._port = host, port
        self.tls = tls  # False: plain HTTP, as some local ARM-compatible servers speak
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="arm-emulator-")
        self.ca_file = str(Path(self._tmp.name) / "ca.pem")

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> Emulator:
        context = None
        if self.tls:
            self.ca.cert_pem.write_to_path(self.ca_file)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert(self._host, "localhost").configure_cert(context)
        self._server = _Server((self._host, self._port), _Handler, self, context)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="arm-emulator",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._tmp.cleanup()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the emulator first"
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self._host}:{self._server.server_address[1]}"

    # --- introspection for tests ----------------------------------------------------------------
    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def served(self, resource_id: str, *, expand: str | None = None) -> dict[str, Any] | None:
        """The document a GET of this id returns (with `$expand` applied as ARM would)."""
        doc = self.index.docs.get(resource_id.lower())
        return None if doc is None else _view(doc, expand)

    def count(self, status: int | None = None, method: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if (status is None or r.status == status)
                       and (method is None or r.method == method))

    # --- request handling -------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: Any, body: bytes = b"") -> Reply:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query)
        api_version = (query.get("api-version") or [None])[0]
        authorization = headers.get("Authorization")
        authorized = authorization == f"Bearer {self.token}"
        reply = self._answer(method, path, parts.query, query, api_version, authorized, body)
        if authorized and ECHO_TOKEN.encode() in reply.body:
            reply.body = reply.body.replace(ECHO_TOKEN.encode(), self.token.encode())
        with self._lock:
            self.requests.append(Recorded(method, path, parts.query, reply.status, authorized, api_version,
                                          time.monotonic(), authorization))
        return reply

    def _answer(self, method: str, path: str, raw_query: str, query: dict[str, list[str]],
                api_version: str | None, authorized: bool, payload: bytes = b"") -> Reply:
        if self.latency:
            time.sleep(self.latency)
        if not authorized:
            return _error(401, "InvalidAuthenticationToken", "The access token is missing or invalid.",
                          {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                               'error="invalid_token"'})
        graph = method == "POST" and path.lower() == GRAPH_PATH
        if method != "GET" and not graph:
            return _error(405, "MethodNotAllowed", f"The emulator is read-only; {method} is not served.")
        if not api_version:
            return _error(400, "MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required for all requests.")
        stormy = self.storm.status() if self.storm else None
        if stormy:
            return _error(stormy, _default_code(stormy), "Injected storm fault.",
                          {"Retry-After": self.storm.retry_after} if stormy == 429 and self.storm else {})
        url = f"{path.lower()}?{raw_query.lower()}" if raw_query else path.lower()
        fault = self._fault_for(url)
        if fault and fault.latency:
            time.sleep(fault.latency)
        if fault and fault.status not in (None, 200) and not fault.truncate:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            if fault.body is not None:  # an error body of the fault's own making
                return Reply(fault.status, {**headers, **fault.headers}, json.dumps(fault.body).encode())
            return _error(fault.status, fault.code or _default_code(fault.status),
                          f"Injected fault for {path}.", {**headers, **fault.headers})
        limited, headers = self._graph_quota() if graph else self._throttled(path)
        if limited:
            return limited
        if fault and fault.body is not None:
            status, body = 200, fault.body
        else:
            status, body = self._graph(payload) if graph else self._route(path, query)
        if fault and fault.next_link is not None and status == 200 and isinstance(body, dict) and "value" in body:
            body = {**body, "nextLink": fault.next_link.format(url=self.url, path=path, query=raw_query,
                                                               n=next(self._links))}
        reply = Reply(status, headers, json.dumps(body).encode("utf-8"))
        if fault:
            _apply(fault, reply)
        return reply
    def _fault_for(self, url: str) -> Fault | None:
        with self._lock:
            for number, fault in enumerate(self.faults):
                if not fault.matches(url):
                    continue
                seen = self._attempts.get((number, url), 0)
                self._attempts[(number, url)] = seen + 1
                if fault.times is None or seen < fault.times:
                    return fault
        return None

    def _graph_quota(self) -> tuple[Reply | None, dict[str, str]]:
        allowed, headers = self.graph.take()
        if allowed:
            return None, headers
        return _error(429, "RateLimiting", "Please provide below info when asking for support: the user quota "
                      "is exhausted.", headers), {}

    def _graph(self, payload: bytes) -> tuple[int, Any]:
        """A Resource Graph query: only the collector's, over the subscriptions named (at most 1,000)."""
        try:
            request = json.loads(payload)
        except ValueError:
            return _error_body(400, "BadRequest", "The request body is not JSON.")
        subscriptions = request.get("subscriptions") if isinstance(request, dict) else None
        match = _GRAPH_QUERY.match(str(request.get("query", ""))) if isinstance(request, dict) else None
        options = request.get("options") or {} if isinstance(request, dict) else {}
        if not match or not isinstance(subscriptions, list) or not 0 < len(subscriptions) <= 1000 \
                or not isinstance(options, dict):
            return _error_body(400, "BadRequest", "The emulator serves only bcdr-scan's discovery query over "
                                                  "1 to 1,000 subscriptions.")
        types = {t.strip("'") for t in match.group(1).split(", ")}
        wanted = {str(s).lower() for s in subscriptions}
        rows = sorted({(rid.split("/")[2], r["type"].lower()) for rid, r in self.index.docs.items()
                       if isinstance(r.get("type"), str) and r["type"].lower() in types
                       and rid.split("/")[2] in wanted and _subscription_level_collection(rid)})
        start_text = str(options.get("$skipToken") or "0").removeprefix("page-")
        if not start_text.isdigit():
            return _error_body(400, "BadRequest", "The $skipToken is not one the emulator gave.")
        start = int(start_text)
        size = min(int(options.get("$top") or 1000), self.graph.page_size)
        page = [{"subscriptionId": sub, "type": kind} for sub, kind in rows[start: start + size]]
        body: dict[str, Any] = {"totalRecords": len(rows), "count": len(page), "data": page, "facets": [],
                                "resultTruncated": "false"}
        if start + size < len(rows):
            if self.graph.truncate:
                body["resultTruncated"] = "true"
            else:
                body["$skipToken"] = f"page-{start + size}"
        return 200, body

    def _throttled(self, path: str) -> tuple[Reply | None, dict[str, str]]:
        """(the 429 to answer, if the bucket is empty; headers for the answer otherwise)."""
        if self.throttle is None:
            return None, {}
        match = _SUBSCRIPTION.match(path)
        allowed, wait, remaining = self.throttle.take(match.group(1).lower() if match else "tenant")
        if allowed:  # ARM tells every reader how much of its bucket is left
            return None, {"x-ms-ratelimit-remaining-subscription-reads": str(remaining)}
        return _error(429, "TooManyRequests", "The request is being throttled.",
                      {"Retry-After": str(max(1, math.ceil(wait)))}), {}

    # --- routing ----------------------------------------------------------------------------------
    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        lowered = path.lower()
        if lowered == "/subscriptions":
            return self._page(path, query, self.estate.subscriptions)
        if lowered.startswith(MANAGEMENT_GROUPS) and lowered.endswith("/descendants"):
            group = lowered[len(MANAGEMENT_GROUPS): -len("/descendants")]
            below = self.index.descendants(group) if "/" not in group else None
            if below is None:
                return _error_body(404, "NotFound", f"Management group '{group}' was not found.")
            return self._page(path, query, below)
        match = _SUBSCRIPTION.match(lowered)
        if not match:
            return _error_body(404, "NotFound", f"No route for {path}.")
        sub = match.group(1)
        if not self.index.subscription_exists(sub):
            return _error_body(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")
        if lowered.endswith(LOCKS_SUFFIX):
            return self._page(path, query, self.index.locks_under(lowered[: -len(LOCKS_SUFFIX)]))
        if lowered == f"/subscriptions/{sub}/locations":
            return self._page(path, query, self.index.locations_for(sub))
        if _is_collection(lowered):
            if _owner(lowered) not in self.index.docs:
                return _error_body(404, "ParentResourceNotFound", f"Can not find the parent of {path}.")
            return self._page(path, query, self.index.collections.get(lowered, []))
        doc = self.index.docs.get(lowered)
        if doc is None:
            return _error_body(404, "ResourceNotFound", f"The resource '{path}' was not found.")
        return 200, _view(doc, (query.get("$expand") or [None])[0])

    def _page(self, path: str, query: dict[str, list[str]], items: list[dict[str, Any]]) -> tuple[int, Any]:
        start = int((query.get("$skiptoken") or ["0"])[0] or 0)
        page = [_view(d, None) for d in items[start: start + self.page_size]]
        body: dict[str, Any] = {"value": page}
        if start + self.page_size < len(items):
            next_query = {"api-version": query["api-version"][0], "$skiptoken": str(start + self.page_size)}
            body["nextLink"] = f"{self.url}{path}?{urlencode(next_query)}"
        return 200, body


def _is_collection(path: str) -> bool:
    """True for a path that lists (`.../resourceGroups`, `.../providers/NS/type`, `.../child`),
    false for one that names a document."""
    segments = path.strip("/").split("/")
    if "providers" not in segments:
        return len(segments) % 2 == 1  # subscriptions/s/resourcegroups[/g]
    after = segments[len(segments) - 1 - segments[::-1].index("providers") + 1:]
    return len(after) % 2 == 0  # namespace + type (+ name, type)* : even = collection


def _owner(collection: str) -> str:
    """The subscription, group or resource a collection path lists under. A location-scoped list
    (`.../providers/Microsoft.Sql/locations/<region>/instanceFailoverGroups`) lists under its group."""
    segments = collection.split("/")
    if len(segments) >= 3 and segments[-3] == "providers":
        return "/".join(segments[:-3])
    if len(segments) >= 5 and segments[-5] == "providers" and segments[-3] == "locations":
        return "/".join(segments[:-5])
    return "/".join(segments[:-1])


def _view(doc: dict[str, Any], expand: str | None) -> dict[str, Any]:
    hidden = EXPAND_ONLY.get(str(doc.get("type", "")).lower())
    props = doc.get("properties")
    if not hidden or not isinstance(props, dict):
        return doc
    wanted = {e.strip().lower() for e in (expand or "").split(",")}
    drop = [name for name in hidden if name.lower() not in wanted and name in props]
    if not drop:
        return doc
    return {**doc, "properties": {k: v for k, v in props.items() if k not in drop}}


def _default_code(status: int) -> str:
    return {403: "AuthorizationFailed", 404: "ResourceNotFound", 429: "TooManyRequests", 500: "InternalServerError",
            503: "ServiceUnavailable"}.get(status, "Error")


def _error_body(status: int, code: str, message: str) -> tuple[int, Any]:
    return status, {"error": {"code": code, "message": message}}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, dict(headers or {}), json.dumps({"error": {"code": code, "message": message}}).encode())


def _apply(fault: Fault, reply: Reply) -> None:
    """The hostile parts of a fault that change how a 200 answer travels."""
    if fault.truncate and reply.status == 200:
        reply.body = reply.body[: max(1, len(reply.body) // 2)]
    if fault.encoding:
        wbits = zlib.MAX_WBITS | 16 if fault.encoding == "gzip" else zlib.MAX_WBITS
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        reply.body = packer.compress(reply.body) + packer.flush()
        reply.headers["Content-Encoding"] = fault.encoding
    if fault.gzip_bomb:
        reply.body = _gzip_zeros(fault.gzip_bomb)
        reply.headers["Content-Encoding"] = "gzip"
    reply.headers.update(fault.headers)
    if fault.retry_after:
        reply.headers["Retry-After"] = fault.retry_after
    reply.drip, reply.drip_headers = fault.drip, fault.drip_headers


_BOMBS: dict[int, bytes] = {}


def _gzip_zeros(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed (about a thousandth of the size), made once per size."""
    if size not in _BOMBS:
        packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        block = bytes(1024 * 1024)
        parts = [packer.compress(block[: min(len(block), size - done)]) for done in range(0, size, len(block))]
        _BOMBS[size] = b"".join(parts) + packer.flush()
    return _BOMBS[size]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: Emulator,
                 context: ssl.SSLContext | None) -> None:
        self.emulator = emulator
        self.context = context
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # TLS handshake in the connection's own thread, not in the accept loop.
        try:
            # No Nagle: a response is written as headers then body, and waiting for the ACK of the
            # first (which the client delays) would add ~40 ms to every request.
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = self.context.wrap_socket(request, server_side=True) if self.context else request
        except (ssl.SSLError, OSError):
            return
        super().finish_request(tls, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-response is not the emulator's problem


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # buffered: headers and body leave in one write, flushed after each request
    server: _Server

    def _serve(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        body = self.rfile.read(length) if length else b""
        reply = self.server.emulator.handle(self.command, self.path, self.headers, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if not reply.drip:
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self._headers_buffer.append(b"\r\n")  # what end_headers() adds before it writes them out
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        if not reply.drip_headers:
            self.wfile.write(head)
            self.wfile.flush()
            head = b""
        self._drip(head + reply.body, reply.drip)

    def _drip(self, data: bytes, interval: float) -> None:
        """One byte at a time: each read on the client's side gets a byte before its timeout."""
        try:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(interval)
        except OSError:
            self.close_connection = True  # the client gave up: that is what the test wants to see

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass
