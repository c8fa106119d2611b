"""Collector tests talk HTTPS to the ARM emulator through the real SDK clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scanner.collect.auth import CachedCredential, StaticTokenCredential, resolve_target
from scanner.collect.collector import LiveCollector, Scope
from scanner.collect.pipeline import GRAPH_PATH
from scanner.model import Inventory
from tests.emulator import Emulator
from tests.helpers import REPO

SAMPLE_ESTATE = REPO / "fixtures" / "sample-estate"


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with Emulator(SAMPLE_ESTATE) as emulator:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_file)
        yield emulator
    # Read-only by construction: whatever a test did, the emulator saw nothing but GETs (and
    # Resource Graph queries, which read).
    assert all(r.method == "GET" or (r.method, r.path.lower()) == ("POST", GRAPH_PATH) for r in emulator.requests)


def collector(arm: Emulator, scope: Scope | None = None, **options: Any) -> LiveCollector:
    # Retries back off in milliseconds here: the tests prove that reads are retried, not how long
    # ARM should be given to recover.
    options.setdefault("retry_backoff", 0.01)
    return LiveCollector(resolve_target("AzureCloud", arm.url), CachedCredential(StaticTokenCredential(arm.token)),
                         credential_label="BCDR_SCAN_TOKEN", scope=scope or Scope(), secrets=[arm.token], **options)


def collect(arm: Emulator, scope: Scope | None = None, **options: Any) -> Inventory:
    return collector(arm, scope, **options).collect()


def client_factory(arm: Emulator, throttle: Any = None) -> Any:
    """The SDK client factory a scan uses, pointed at the emulator."""
    from scanner.collect.auth import connection_verify
    from scanner.collect.clients import ClientFactory
    from scanner.collect.pipeline import RequestStats, build_transport
    from scanner.collect.throttle import Throttle

    return ClientFactory(CachedCredential(StaticTokenCredential(arm.token)), arm.url, f"{arm.url}/.default",
                         build_transport(4, connection_verify()), throttle or Throttle(), RequestStats(), 0.01)
