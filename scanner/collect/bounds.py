"""The bounds every live read stays within, and the errors that say which one was reached.

Every answer from ARM is untrusted: a server may drip its body, never stop paging, ask for a
day's wait or send a gzip bomb. Each bound below turns that into a read gap with its reason,
never a hang (docs/live-scanning.md, "Bounds", has the table with the why of each value).

A *read* is one task of the collector: one list with all its pages, or one document. The
collector opens it with `reading()`; the pipeline policies and the transport, which run in the
same thread, find it with `current_read()` to apply the per-list bounds and the deadlines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from azure.core.exceptions import ServiceResponseTimeoutError

# A Retry-After longer than this is not slept: the read waits for the re-read pass instead
# (ARM refills a subscription's read bucket at 25 tokens a second, so its own throttling never
# asks for more than seconds; a longer wait is an outage or a hostile server).
RETRY_AFTER_CAP = 60.0
# The waits of one request's retries that no usable Retry-After asked for (backoff after a 5xx, a
# dropped connection or a timeout; a 429 whose Retry-After is absent, negative, in the past or
# unreadable), added up. Past it the request fails and its read waits for the re-read pass: a
# server that fails every attempt costs seconds, not minutes (backoff alone would wait 50 s).
RETRY_WAIT_BUDGET = 20.0
# The whole of one HTTP attempt (connect, headers, body), however slowly the bytes trickle in.
REQUEST_DEADLINE = 60.0
# Response body after decompression (the largest ARM list page seen is a few MB).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# Pages of one list (ARM pages hold 100 to 1,000 items: up to 100,000 items or more per list).
MAX_PAGES = 1000
# One list with all its pages, retries and throttling waits.
LIST_DEADLINE = 30 * 60.0
# The whole scan (`--deadline`): what is not read by then is a gap, and the scan still reports.
SCAN_DEADLINE = 2 * 3600.0


@dataclass(frozen=True)
class Limits:
    retry_after_cap: float = RETRY_AFTER_CAP
    retry_wait_budget: float = RETRY_WAIT_BUDGET
    request_deadline: float = REQUEST_DEADLINE
    max_response_bytes: int = MAX_RESPONSE_BYTES
    max_pages: int = MAX_PAGES
    list_deadline: float = LIST_DEADLINE
    scan_deadline: float = SCAN_DEADLINE


DEFAULT_LIMITS = Limits()


class MalformedPayload(ValueError):
    """ARM answered 200 with something that is not the document or list it should be."""


class BoundReached(Exception):
    """A bound stopped a read; `transient` says whether reading it again later may succeed."""

    transient = False


class ForeignOrigin(BoundReached):
    """A request (typically a nextLink) to another scheme, host or port than the ARM endpoint:
    refused before it is sent, so the bearer token never leaves for it."""


class ResponseTooLarge(BoundReached):
    pass


class PageLimit(BoundReached):
    """Too many pages, or a nextLink back to a page already read (a loop)."""


class DeadlineReached(BoundReached):
    """The read's own deadline or the scan's passed: nothing more is sent for it."""


class RequestDeadline(ServiceResponseTimeoutError):
    """One attempt took longer than the whole-request deadline (a slow drip). Not retried at once
    (a server that drips does it again), but read again in the final re-read pass."""

    transient = True


@dataclass
class Read:
    """One read in progress: its deadline and the pages of the list it follows."""

    deadline: float  # time.monotonic()
    deadline_reason: str
    max_pages: int = MAX_PAGES
    pages: int = 0
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check_time(self, needed: float = 0.0) -> None:
        """Raise if the deadline has passed, or would pass while waiting `needed` seconds."""
        if self.remaining() <= needed:
            raise DeadlineReached(f"not read: {self.deadline_reason} reached")


_local = threading.local()


@contextmanager
def reading(read: Read) -> Iterator[Read]:
    previous = getattr(_local, "read", None)
    _local.read = read
    try:
        yield read
    finally:
        _local.read = previous


def current_read() -> Read | None:
    return getattr(_local, "read", None)

