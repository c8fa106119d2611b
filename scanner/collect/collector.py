"""Live collection: read an estate from ARM into an Inventory, never turning "could not read"
into "nothing there".

Order of work: the subscriptions in scope (tenant level), then each subscription's resource
groups (their tags decide landing zones, so a subscription whose groups cannot be read is not
judged at all), then, all in parallel on a bounded pool, locations, locks and every resource type
of the table in `collectors.py`, each parent's child configuration as soon as the parent is read.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import ClientAuthenticationError

from scanner import __version__
from scanner.collect.arm import MalformedPayload, describe, raw_pages, to_json
from scanner.collect.auth import Target, connection_verify, redact
from scanner.collect.clients import ClientFactory, SubscriptionClients
from scanner.collect.collectors import TYPES, ChildSpec, EnrichSpec, TypeSpec
from scanner.collect.pipeline import DEFAULT_BACKOFF, RequestStats, build_transport
from scanner.collect.scheduler import Scheduler, Task
from scanner.collect.throttle import TENANT_KEY, Throttle
from scanner.model import Inventory, ReadGap, Resource, resource_group_of, type_from_id

LOG = logging.getLogger("bcdr_scan.collect")
# Subscriptions whose resources are live (Warned and PastDue still run; Disabled ones are
# read-only and Deleted ones gone): scanned by default. Any state is scanned when named.
ACTIVE_STATES = frozenset({"enabled", "warned", "pastdue"})
RESOURCE_GROUPS = "Microsoft.Resources/resourceGroups"
LOCKS = "Microsoft.Authorization/locks"
LOCATIONS = "locations"
_RESOURCE_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+", re.IGNORECASE)


class CollectionError(Exception):
    """Nothing can be collected (no credential, no subscription): the run ends with exit code 2."""


@dataclass(frozen=True)
class Scope:
    subscriptions: tuple[str, ...] = ()  # empty: every active subscription the credential sees
    exclude: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"subscriptions": list(self.subscriptions), "excluded_subscriptions": list(self.exclude),
                "resource_groups": list(self.resource_groups)}


@dataclass
class Progress:
    """Counters the progress display reads while the scan runs."""

    subscriptions: int = 0
    resources: int = 0
    gaps: int = 0
    phase: str = "starting"


@dataclass
class _Found:
    lock: threading.Lock = field(default_factory=threading.Lock)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    resource_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    locks: dict[str, dict[str, Any]] = field(default_factory=dict)
    locations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gaps: dict[tuple[str, str], ReadGap] = field(default_factory=dict)
    rg_readable: set[str] = field(default_factory=set)


class LiveCollector:
    def __init__(self, target: Target, credential: Any, *, credential_label: str, scope: Scope,
                 max_concurrency: int = 16, secrets: Iterable[str] = (), types: tuple[TypeSpec, ...] = TYPES,
                 throttle: Throttle | None = None, retry_backoff: float = DEFAULT_BACKOFF,
                 read_timeout: float = 60) -> None:
        self.target = target
        self.credential = credential
        self.credential_label = credential_label
        self.scope = scope
        self.max_concurrency = max_concurrency
        self.secrets = tuple(secrets)
        self.types = types
        self.throttle = throttle or Throttle()
        self.retry_backoff = retry_backoff
        self.read_timeout = read_timeout
        self.stats = RequestStats()
        self.progress = Progress()
        self._found = _Found()
        self._rg_filter = {g.lower() for g in scope.resource_groups}
        self._scheduler: Scheduler | None = None
        self._clients: dict[str, SubscriptionClients] = {}
        self._tenant: Any = None
        self.in_scope: list[str] = []
        self._fatal: CollectionError | None = None

    # --- entry point ----------------------------------------------------------------------
    def collect(self) -> Inventory:
        started = datetime.now(UTC)
        clock = time.monotonic()
        transport = build_transport(self.max_concurrency, connection_verify(), self.read_timeout)
        factory = ClientFactory(self.credential, self.target.arm_endpoint, self.target.token_scope, transport,
                                self.throttle, self.stats, self.retry_backoff)
        try:
            self._tenant = factory.subscriptions()
            subscriptions = self._in_scope()
            self.progress.subscriptions = len(subscriptions)
            self._clients = {s: SubscriptionClients(factory, s) for s in subscriptions}
            self.progress.phase = "resource groups"
            self._run(lambda submit: [submit(s, f"/subscriptions/{s}", "*", self._read_resource_groups, s)
                                      for s in subscriptions])
            self._check_resource_groups_found(subscriptions)
            self.progress.phase = "resources"
            self._run(lambda submit: [self._start_subscription(submit, s) for s in subscriptions
                                      if s in self._found.rg_readable])
        finally:
            factory.close()
            transport.session.close()
        finished = datetime.now(UTC)
        return self._inventory(started, finished, time.monotonic() - clock)

    # --- subscriptions --------------------------------------------------------------------
    def _in_scope(self) -> list[str]:
        client = self._tenant
        excluded = {s.lower() for s in self.scope.exclude}
        if self.scope.subscriptions:
            wanted = [s.lower() for s in dict.fromkeys(self.scope.subscriptions) if s.lower() not in excluded]
            self._run(lambda submit: [submit(TENANT_KEY, f"/subscriptions/{s}", "*", self._read_subscription,
                                             client, s) for s in wanted])
            self.in_scope = sorted(wanted)
            # A named subscription that cannot be read is a `*` gap; its resources are not read.
            return sorted(s for s in wanted if s in self._found.subscriptions)
        try:
            docs = [to_json(s) for s in client.subscriptions.list()]
        except ClientAuthenticationError as exc:
            raise self._auth_failure(exc) from None
        except Exception as exc:
            raise CollectionError(self._redact(f"cannot list subscriptions: {describe(exc)[0]}")) from None
        chosen = []
        for doc in docs:
            sub = str(doc.get("subscriptionId") or "").lower()
            if not sub or sub in excluded:
                continue
            if str(doc.get("state") or "").lower() in ACTIVE_STATES:
                self._found.subscriptions[sub] = doc
                chosen.append(sub)
        self.in_scope = sorted(chosen)
        if not chosen:
            raise CollectionError("the credential sees no enabled subscription in scope "
                                  f"({len(docs)} visible, {len(excluded)} excluded); name one with --subscription")
        return sorted(chosen)

    def _read_subscription(self, client: Any, sub: str) -> None:
        try:
            doc = to_json(client.subscriptions.get(sub))
        except ClientAuthenticationError as exc:  # no token, or ARM refuses it: nothing can be read
            raise self._auth_failure(exc) from None
        if str(doc.get("subscriptionId") or "").lower() != sub:
            raise MalformedPayload(f"the subscription document is not {sub}")
        with self._found.lock:
            self._found.subscriptions[sub] = doc

    def _auth_failure(self, exc: ClientAuthenticationError) -> CollectionError:
        reason = describe(exc)[0]
        if exc.response is None:  # the credential produced no token
            LOG.info("credential failure: %s", exc.message)
            reason = reason.removeprefix("authentication failed: ")
            if self.credential_label == "DefaultAzureCredential":
                reason += (" Sign in (az login), configure a service principal, workload identity or managed "
                           "identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, ...), or set BCDR_SCAN_TOKEN; "
                           "-v shows what each credential tried.")
        else:
            reason = f"ARM refused the token: {reason}"
        return CollectionError(self._redact(f"cannot authenticate ({self.credential_label}): {reason}"))

    # --- resource groups ------------------------------------------------------------------
    def _read_resource_groups(self, sub: str) -> None:
        # Any failure here is a `*` gap for the subscription (see the module docstring).
        docs = [to_json(g) for g in self._clients[sub].resources.resource_groups.list()]
        if not all(_is_id(d) for d in docs):
            raise MalformedPayload("a resource group without an id")
        with self._found.lock:
            for doc in docs:
                if self._in_rg_scope(str(doc["id"])):
                    self._found.resource_groups[str(doc["id"]).lower()] = doc
            self._found.rg_readable.add(sub)

    def _check_resource_groups_found(self, subscriptions: list[str]) -> None:
        """A --resource-group that exists in no scanned subscription is a typo, not an empty estate."""
        if not self._rg_filter or len(self._found.rg_readable) < len(subscriptions):
            return
        seen = {str(resource_group_of(k) or "").lower() for k in self._found.resource_groups}
        missing = sorted(g for g in self.scope.resource_groups if g.lower() not in seen)
        if missing:
            raise CollectionError(f"--resource-group {', '.join(missing)}: not found in the "
                                  f"{len(subscriptions)} subscription(s) scanned")

    # --- one subscription -----------------------------------------------------------------
    def _start_subscription(self, submit: Callable[..., None], sub: str) -> None:
        root = f"/subscriptions/{sub}"
        submit(sub, root, LOCATIONS, self._read_locations, sub)
        submit(sub, root, LOCKS, self._read_locks, sub)
        for spec in self.types:
            submit(sub, root, spec.type, self._read_type, sub, spec, discovers=bool(spec.children))

    def _read_locations(self, sub: str) -> None:
        docs = [to_json(loc) for loc in self._tenant.subscriptions.list_locations(sub)]
        with self._found.lock:
            self._found.locations[sub] = [d for d in docs if isinstance(d.get("name"), str)]

    def _read_locks(self, sub: str) -> None:
        # list_at_subscription_level returns the locks of the subscription and everything in it.
        docs = raw_pages(self._clients[sub].locks.management_locks.list_at_subscription_level)
        kept = [d for d in docs if _is_id(d) and self._in_rg_scope(str(d["id"]), lock=True)]
        with self._found.lock:
            for doc in kept:
                self._found.locks[str(doc["id"]).lower()] = doc

    def _read_type(self, sub: str, spec: TypeSpec) -> None:
        self._store(sub, f"/subscriptions/{sub}", spec.type, spec.list(self._clients[sub]), spec.children)

    def _read_child(self, sub: str, parent: Mapping[str, Any], spec: ChildSpec) -> None:
        self._store(sub, str(parent["id"]), spec.type, spec.fetch(self._clients[sub], parent), spec.children)

    def _enrich(self, sub: str, parent: Mapping[str, Any], spec: EnrichSpec) -> None:
        doc = to_json(spec.fetch(self._clients[sub], parent))
        if not _valid_resource(doc, _type_of(parent)) or str(doc["id"]).lower() != str(parent["id"]).lower():
            raise ValueError(f"the expanded document is not {parent['id']}")
        with self._found.lock:
            self._found.resources[str(doc["id"]).lower()] = doc

    def _store(self, sub: str, scope: str, resource_type: str, items: Iterable[Any],
               children: tuple[ChildSpec | EnrichSpec, ...]) -> None:
        """Keep every well-formed document (even when a later page fails), then queue its children."""
        malformed = 0
        parent_prefix = scope.lower() + "/"
        try:
            for item in items:
                doc = item if isinstance(item, dict) else to_json(item)
                if not _valid_resource(doc, resource_type) or not str(doc["id"]).lower().startswith(parent_prefix):
                    malformed += 1
                    continue
                if not self._in_rg_scope(str(doc["id"])):
                    continue
                with self._found.lock:
                    self._found.resources[str(doc["id"]).lower()] = doc
                    self.progress.resources = len(self._found.resources)
                self._queue_children(sub, doc, children)
        finally:
            if malformed:
                self._gap(scope, resource_type, f"malformed payload: {malformed} document(s) without a valid "
                          f"id or of another type than {resource_type}", None)

    def _queue_children(self, sub: str, doc: Mapping[str, Any], children: tuple[ChildSpec | EnrichSpec, ...]) -> None:
        assert self._scheduler is not None
        for child in children:
            if not child.when(doc):
                continue
            if isinstance(child, EnrichSpec):
                self._submit(sub, str(doc["id"]), child.data, self._enrich, sub, doc, child)
            else:
                self._submit(sub, str(doc["id"]), child.type, self._read_child, sub, doc, child,
                             discovers=bool(child.children))

    # --- scope ------------------------------------------------------------------------------
    def _in_rg_scope(self, resource_id: str, *, lock: bool = False) -> bool:
        if not self._rg_filter:
            return True
        group = resource_group_of(resource_id)
        if group is None:
            # Subscription-level locks cover every group in scope; nothing else lives outside a group.
            return lock
        return group.lower() in self._rg_filter

    # --- running tasks ----------------------------------------------------------------------
    def _run(self, seed: Callable[[Callable[..., None]], Any]) -> None:
        scheduler = self._scheduler = Scheduler(self.max_concurrency, self.throttle.ready_in, self._task_crashed)
        seed(self._submit)
        scheduler.run()
        if self._fatal is not None:
            raise self._fatal

    def subscriptions_done(self) -> int:
        """Subscriptions with no read left to do (for the progress display)."""
        scheduler = self._scheduler
        if self.progress.phase != "resources" or scheduler is None:
            return 0
        return sum(1 for s in self._clients if s not in self._found.rg_readable or not scheduler.pending(s))

    def _submit(self, key: str, scope: str, data: str, fn: Callable[..., None], *args: Any,
                discovers: bool = False) -> None:
        scheduler = self._scheduler
        assert scheduler is not None

        def run() -> None:
            try:
                fn(*args)
            except CollectionError as exc:
                self._fatal = exc
                scheduler.stop()
            except Exception as exc:
                message, status = describe(exc)
                self._gap(scope, data, message, status)

        scheduler.submit(key, run, f"{data} @ {scope}", discovers=discovers)

    def _task_crashed(self, task: Task, exc: BaseException) -> None:
        LOG.error("task %s crashed: %s", task.label, exc)

    def _gap(self, scope: str, data: str, message: str, status: int | None) -> None:
        gap = ReadGap(scope, data, self._redact(message), status)
        LOG.info("read gap: %s of %s: %s", data, scope, gap.error)
        with self._found.lock:
            self._found.gaps.setdefault((scope.lower(), data.lower()), gap)
            self.progress.gaps = len(self._found.gaps)

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)

    # --- result -----------------------------------------------------------------------------
    def _inventory(self, started: datetime, finished: datetime, seconds: float) -> Inventory:
        found = self._found
        gaps = _subscription_gaps(found.gaps)
        locations: dict[str, dict[str, Any]] = {}
        for sub in sorted(found.locations):
            for loc in found.locations[sub]:
                locations.setdefault(str(loc["name"]).lower(), loc)
        return Inventory(
            resources=[Resource(found.resources[k]) for k in sorted(found.resources)],
            subscriptions=[found.subscriptions[s] for s in sorted(found.subscriptions)],
            resource_groups=[found.resource_groups[k] for k in sorted(found.resource_groups)],
            locks=[found.locks[k] for k in sorted(found.locks)],
            locations=list(locations.values()),
            gaps=sorted(gaps, key=lambda g: (g.scope.lower(), g.data.lower())),
            collected_at=finished,
            source={
                "tool": f"bcdr-scan {__version__}",
                "mode": "live",
                "cloud": self.target.cloud.name,
                "arm_endpoint": self.target.arm_endpoint,
                "credential": self.credential_label,
                "scopes": {**self.scope.to_json(), "scanned_subscriptions": self.in_scope},
                "started_at": _iso(started),
                "duration_seconds": round(seconds, 3),
                "requests": self.stats.requests,
                "throttled_responses": self.stats.throttled,
            },
        )


def _subscription_gaps(gaps: dict[tuple[str, str], ReadGap]) -> list[ReadGap]:
    """A subscription that could not be read at all is one gap (`*`), not one per type."""
    whole = {scope for (scope, data) in gaps if data == "*"}
    return [g for (scope, data), g in gaps.items()
            if data == "*" or not any(scope == w or scope.startswith(w + "/") for w in whole)]


def _is_id(doc: Mapping[str, Any]) -> bool:
    return isinstance(doc.get("id"), str) and str(doc["id"]).lower().startswith("/subscriptions/")


def _type_of(doc: Mapping[str, Any]) -> str:
    value = doc.get("type")
    return str(value) if isinstance(value, str) and value else type_from_id(str(doc.get("id", "")))


# The top-level fields of an ARM document and the JSON types the snapshot schema allows them.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "type": (str,), "location": (str, type(None)), "kind": (str, type(None)),
    "sku": (dict, type(None)), "tags": (dict, type(None)), "properties": (dict, type(None)),
}


def _valid_resource(doc: Any, expected_type: str) -> bool:
    """A resource document of the type the call lists, in a shape the snapshot schema accepts
    (so a collected snapshot always loads again)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not _RESOURCE_ID.match(doc["id"]):
        return False
    if any(key in doc and not isinstance(doc[key], kinds) for key, kinds in _FIELD_TYPES.items()):
        return False
    return _type_of(doc).lower() == expected_type.lower()


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
