"""The HTTP session under the SDK transport: every attempt ends within its deadline, and no body
larger than the cap is ever held, compressed or not.

requests' read timeout applies to each socket read, so a server that sends one byte every few
seconds (in the headers or the body) is never timed out by it. Here a watchdog thread shuts
the connection's socket down when the attempt's deadline passes, which ends whatever read is
blocked. Bodies are read here, before azure-core sees the response, in chunks, and decompressed
by us with a bound on the output (a 2 MB gzip body can expand to gigabytes).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

import requests
from azure.core.exceptions import ServiceResponseError, ServiceResponseTimeoutError
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError, ReadTimeoutError

from scanner.collect.bounds import (
    DeadlineReached,
    MalformedPayload,
    RequestDeadline,
    ResponseTooLarge,
    current_read,
)

_CHUNK = 64 * 1024
# Encodings we ask for and decode ourselves; anything else in Content-Encoding is refused.
ACCEPT_ENCODING = "gzip, deflate"
# An expired attempt whose socket did not exist yet (still connecting) is looked at again this often.
_REPOKE = 0.2


class _Guard:
    """One attempt under watch: the connection it uses, and whether its deadline passed."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self.done = False
        self._conn: Any = None
        self._lock = threading.Lock()

    def attach(self, conn: Any) -> None:
        with self._lock:
            self._conn = conn
            expired = self.expired
        if expired:
            self.kill()

    def kill(self) -> bool:
        """Shut the attempt's socket down, which ends a read blocked on it; False while the
        connection has no socket yet (still connecting: the watchdog looks again)."""
        with self._lock:  # held while shutting down: `finish` cannot hand the connection on meanwhile
            self.expired = True
            if self.done:
                return True
            sock = getattr(self._conn, "sock", None)
            if sock is None:
                return False
            # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would drop its SSL
            # object under the reading thread.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            return True

    def finish(self) -> bool:
        """The attempt is over; True when the watchdog had already killed it."""
        with self._lock:
            self.done = True
            return self.expired


class Watchdog:
    """One daemon thread that kills the attempts whose deadline has passed."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Guard]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def watch(self, deadline: float) -> _Guard:
        guard = _Guard(deadline)
        with self._cond:
            heapq.heappush(self._heap, (deadline, next(self._order), guard))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="bcdr-http-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0][2] is guard:  # wake the watchdog only when it must wake earlier
                self._cond.notify()
        return guard

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self) -> None:
        while (guard := self._next_expired()) is not None:
            if not guard.kill():  # still connecting: look again shortly
                with self._cond:
                    heapq.heappush(self._heap, (time.monotonic() + _REPOKE, next(self._order), guard))

    def _next_expired(self) -> _Guard | None:
        with self._cond:
            while not self._stopped:
                if self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)  # finished in time: nothing to do
                elif self._heap and self._heap[0][0] <= time.monotonic():
                    return heapq.heappop(self._heap)[2]
                else:
                    self._cond.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
            return None


_watching = threading.local()


def _watch_connection(conn: Any) -> None:
    guard: _Guard | None = getattr(_watching, "guard", None)
    if guard is not None:
        guard.attach(conn)


class _WatchedHTTPPool(HTTPConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _watch_connection(conn)  # the connection this attempt uses, in the attempt's own thread
        return super()._make_request(conn, *args, **kwargs)


class _WatchedHTTPSPool(HTTPSConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _watch_connection(conn)
        return super()._make_request(conn, *args, **kwargs)


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """Connection pools (direct, or through an HTTP(S) proxy) whose connections the watchdog can reach.

    requests looks the CA bundle's path up on disk (exists, isdir) three times for every request: a fifth
    of a collection's CPU on a slow file system. Here once per path (a missing path is looked up again, and
    requests' own error raised)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._ca_is_dir: dict[str, bool] = {}
        super().__init__(*args, **kwargs)

    def _is_ca_dir(self, path: str) -> bool | None:
        """Whether the CA path is a directory; None when it does not exist."""
        found = self._ca_is_dir.get(path)
        if found is None and os.path.exists(path):
            found = self._ca_is_dir[path] = os.path.isdir(path)
        return found

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        if not isinstance(verify, str):
            return super().build_connection_pool_key_attributes(request, verify, cert)
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, True, cert)
        pool_kwargs["ca_cert_dir" if self._is_ca_dir(verify) else "ca_certs"] = verify
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        is_dir = self._is_ca_dir(verify) if isinstance(verify, str) and verify else None
        if is_dir is None or cert or not url.lower().startswith("https"):
            super().cert_verify(conn, url, verify, cert)
            return
        conn.cert_reqs = "CERT_REQUIRED"
        if is_dir:
            conn.ca_cert_dir = verify
        else:
            conn.ca_certs = verify

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


class BoundedSession(requests.Session):
    """Sends each request under the watchdog and reads its whole body, bounded, before returning
    (azure-core then finds the body already read, as for any non-streamed response)."""

    def __init__(self, request_deadline: float, max_bytes: int) -> None:
        super().__init__()
        self.request_deadline = request_deadline
        self.max_bytes = max_bytes
        self.watchdog = Watchdog()
        self.headers["Accept-Encoding"] = ACCEPT_ENCODING
        # The environment (proxy variables, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE) is read once per origin
        # (merge_environment_settings) rather than by requests on every request, a tenth of a collection's
        # CPU; and ~/.netrc never: requests would send its entry for the host as Basic credentials in place
        # of the bearer token.
        self.trust_env = False
        self._environment: dict[tuple[str, str, str | None], tuple[dict[str, str], str | None]] = {}

    def merge_environment_settings(self, url: str | bytes | None, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        """What requests merges in from the environment when it trusts it, but netrc, from a memo."""
        proxies = dict(proxies or {})
        text = url.decode() if isinstance(url, bytes) else url or ""
        env_proxies, ca_bundle = self._environment_for(text, proxies.get("no_proxy"))
        for scheme, proxy in env_proxies.items():
            proxies.setdefault(scheme, proxy)
        if verify is True or verify is None:
            verify = ca_bundle or verify
        return super().merge_environment_settings(url, proxies, stream, verify, cert)  # type: ignore[no-any-return]

    def _environment_for(self, url: str, no_proxy: str | None) -> tuple[dict[str, str], str | None]:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, no_proxy)  # the proxy and its bypass depend on these only
        found = self._environment.get(key)
        if found is None:
            found = self._environment[key] = (
                requests.utils.get_environ_proxies(url, no_proxy=no_proxy),
                os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None)
        return found

    def close(self) -> None:
        super().close()
        self.watchdog.stop()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        deadline, own = self._deadline()
        kwargs["stream"] = True
        guard = _watching.guard = self.watchdog.watch(deadline)
        response: requests.Response | None = None
        try:
            response = super().send(request, **kwargs)
            self._read_body(response)
        except Exception as exc:
            if response is not None:
                response.close()  # the connection is in an unknown state: never reused
            if guard.finish():
                raise self._expired(own) from exc
            raise
        finally:
            _watching.guard = None
        if guard.finish():
            response.raw.close()  # read in time, but the watchdog shut the socket meanwhile
        response.raw.release_conn()
        return response

    def _deadline(self) -> tuple[float, bool]:
        """The attempt's deadline, and whether it is its own (not its read's or the scan's)."""
        now = time.monotonic()
        read = current_read()
        if read is not None and read.deadline < now + self.request_deadline:
            read.check_time()
            return read.deadline, False
        return now + self.request_deadline, True

    def _expired(self, own: bool) -> Exception:
        read = current_read()
        if own or read is None:
            return RequestDeadline(f"no complete response within the {self.request_deadline:g} s request deadline")
        return DeadlineReached(f"not read: {read.deadline_reason} reached")

    def _read_body(self, response: requests.Response) -> None:
        decoder = _decoder(response.headers.get("Content-Encoding", ""), self.max_bytes)
        body = bytearray()
        try:
            while chunk := response.raw.read(_CHUNK, decode_content=False):
                body += decoder.feed(chunk, self.max_bytes - len(body))
            body += decoder.flush(self.max_bytes - len(body))
        except zlib.error as exc:
            raise MalformedPayload(f"the response body does not decompress ({exc})") from None
        except ReadTimeoutError as exc:
            raise ServiceResponseTimeoutError(f"read timed out: {exc}", error=exc) from exc
        except (HTTPError, OSError) as exc:
            raise ServiceResponseError(f"connection broken while reading the response: {exc}", error=exc) from exc
        response._content = bytes(body)
        response._content_consumed = True


class _Identity:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def feed(self, chunk: bytes, room: int) -> bytes:
        if len(chunk) > room:
            raise ResponseTooLarge(f"response larger than {_mib(self.max_bytes)}")
        return chunk

    def flush(self, room: int) -> bytes:
        return b""


class _Inflate(_Identity):
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), never more than `room` out."""

    def __init__(self, max_bytes: int, wbits: int) -> None:
        super().__init__(max_bytes)
        self._zlib = zlib.decompressobj(wbits)
        self._raw_fallback = wbits == zlib.MAX_WBITS
        self._started = False

    def feed(self, chunk: bytes, room: int) -> bytes:
        try:
            out = self._zlib.decompress(chunk, room + 1)
        except zlib.error:
            if not (self._raw_fallback and not self._started):
                raise
            self._zlib, self._raw_fallback = zlib.decompressobj(-zlib.MAX_WBITS), False
            out = self._zlib.decompress(chunk, room + 1)
        self._started = True
        if len(out) > room or self._zlib.unconsumed_tail:
            raise ResponseTooLarge(f"response larger than {_mib(self.max_bytes)} after decompression")
        return out

    def flush(self, room: int) -> bytes:
        out = self._zlib.flush()
        if len(out) > room:
            raise ResponseTooLarge(f"response larger than {_mib(self.max_bytes)} after decompression")
        return out


def _decoder(content_encoding: str, max_bytes: int) -> _Identity:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return _Identity(max_bytes)
    if encoding in ("gzip", "x-gzip"):
        return _Inflate(max_bytes, zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _Inflate(max_bytes, zlib.MAX_WBITS)
    raise MalformedPayload(f"unsupported Content-Encoding {content_encoding[:40]!r}")


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB"
