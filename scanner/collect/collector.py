"""Live collection: read an estate from ARM into an Inventory, never turning "could not read"
into "nothing there".

Order of work: the subscriptions in scope (tenant level), then each subscription's resource
groups (their tags decide landing zones, so a subscription whose groups cannot be read is not
judged at all), then, all in parallel on a bounded pool, the locations (once per scan: paired
regions and zones are the cloud's, not a subscription's), each subscription's locks and every
resource type of the table in `collectors.py`, each parent's child configuration as soon as the
parent is read. No URL is read twice, except to try again what failed.
At the end of each of these phases, the reads that failed for a transient reason (throttling,
server errors, timeouts, a Retry-After beyond the cap) are tried once more.

Every read runs within the bounds of `scanner.collect.bounds`; every document is checked
(`scanner.collect.shape`) and scrubbed of secrets before it is kept.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import ClientAuthenticationError

from scanner import __version__
from scanner.collect.arm import MalformedPayload, arm_list, describe, is_transient, raw_pages, to_json
from scanner.collect.auth import Target, connection_verify, redact
from scanner.collect.bounds import DEFAULT_LIMITS, Limits, Read, reading
from scanner.collect.clients import ClientFactory, SubscriptionClients
from scanner.collect.collectors import (
    SQL_INSTANCE_FAILOVER_GROUPS,
    SQL_MANAGED_INSTANCE,
    TYPES,
    ChildSpec,
    EnrichSpec,
    TypeSpec,
)
from scanner.collect.graph import MAX_SUBSCRIPTIONS, GraphAnswer, discover
from scanner.collect.pipeline import DEFAULT_BACKOFF, RequestStats, build_transport
from scanner.collect.scheduler import Scheduler, Task
from scanner.collect.shape import (
    DUPLICATE,
    FOREIGN,
    MALFORMED,
    describe_drops,
    empty_counts,
    id_problem,
    resource_problem,
    scrub,
    type_of,
    unstorable,
)
from scanner.collect.throttle import TENANT_KEY, Throttle
from scanner.model import Inventory, ReadGap, Resource, resource_group_of

LOG = logging.getLogger("bcdr_scan.collect")
# Subscriptions whose resources are live (Warned and PastDue still run; Disabled ones are
# read-only and Deleted ones gone): scanned by default. Any state is scanned when named.
ACTIVE_STATES = frozenset({"enabled", "warned", "pastdue"})
RESOURCE_GROUPS = "Microsoft.Resources/resourceGroups"
LOCKS = "Microsoft.Authorization/locks"
LOCATIONS = "locations"
SUBSCRIPTIONS = "Microsoft.Resources/subscriptions"
_SUBSCRIPTION_ID = re.compile(r"^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                              re.IGNORECASE)
_RESOURCE_GROUP_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+$", re.IGNORECASE)
_LOCK_ID = re.compile(r"^/subscriptions/.*/providers/Microsoft\.Authorization/locks/[^/]+$", re.IGNORECASE)
_LOCATION_ID = re.compile(r"^/subscriptions/[^/]+/locations/[^/]+$", re.IGNORECASE)
# Management groups (https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants):
# one list names every group and subscription below a group, at any depth.
MANAGEMENT_GROUP_DESCENDANTS = "Microsoft.Management/managementGroups/descendants"
_MANAGEMENT_GROUPS_API = "2023-04-01"
# --discovery auto: Resource Graph from this many subscriptions in scope. Below it, listing every
# type in every subscription costs a few hundred requests at most, and ARM has no indexing delay.
AUTO_GRAPH_SUBSCRIPTIONS = 20
# A type Resource Graph does not index as such is looked for where the type it is read through is.
_GRAPH_TYPE = {SQL_INSTANCE_FAILOVER_GROUPS.type.lower(): SQL_MANAGED_INSTANCE.type.lower()}


class CollectionError(Exception):
    """Nothing can be collected (no credential, no subscription): the run ends with exit code 2."""


@dataclass(frozen=True)
class Scope:
    subscriptions: tuple[str, ...] = ()  # empty: every active subscription the credential sees
    exclude: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()  # every subscription below these, at any depth

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
    # Documents dropped per read (scope, data), by reason; a re-read replaces its first count.
    dropped: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    redacted: int = 0
    queued: set[tuple[str, str]] = field(default_factory=set)  # (parent id, child data) read or queued
    enriched: set[str] = field(default_factory=set)  # ids whose document was re-read with more detail


@dataclass(frozen=True)
class _Failed:
    """A read that failed for a transient reason: tried once more at the end of its phase."""

    key: str
    scope: str
    data: str
    fn: Callable[..., None]
    args: tuple[Any, ...]
    discovers: bool


class LiveCollector:
    def __init__(self, target: Target, credential: Any, *, credential_label: str, scope: Scope,
                 max_concurrency: int = 16, secrets: Iterable[str] = (), types: tuple[TypeSpec, ...] = TYPES,
                 throttle: Throttle | None = None, retry_backoff: float = DEFAULT_BACKOFF,
                 read_timeout: float = 60, limits: Limits = DEFAULT_LIMITS, discovery: str = "arm") -> None:
        self.target = target
        self.credential = credential
        self.credential_label = credential_label
        self.scope = scope
        self.max_concurrency = max_concurrency
        self.secrets = tuple(s for s in secrets if s)
        self.types = types
        self.throttle = throttle or Throttle()
        self.retry_backoff = retry_backoff
        self.read_timeout = read_timeout
        self.limits = limits
        self.discovery = discovery
        self.stats = RequestStats()
        self.progress = Progress()
        self._found = _Found()
        self._rg_filter = {g.lower() for g in scope.resource_groups}
        self._scheduler: Scheduler | None = None
        self._clients: dict[str, SubscriptionClients] = {}
        self._tenant: Any = None
        self.in_scope: list[str] = []
        self.resolved_groups: dict[str, list[str]] = {}  # management group -> the subscriptions below it
        self._present: dict[str, set[str]] = {}  # Resource Graph discovery: subscription -> types present
        self._discovered: dict[str, Any] = {"mode": "arm"}
        self._fatal: CollectionError | None = None
        self._failed: list[_Failed] = []
        self._rereads = Counter[str]()
        self._deadline = float("inf")

    # --- entry point ----------------------------------------------------------------------
    def collect(self) -> Inventory:
        started = datetime.now(UTC)
        clock = time.monotonic()
        self._deadline = clock + self.limits.scan_deadline
        transport = build_transport(self.max_concurrency, connection_verify(), self.read_timeout, self.limits)
        factory = ClientFactory(self.credential, self.target.arm_endpoint, self.target.token_scope, transport,
                                self.throttle, self.stats, self.retry_backoff, self.limits)
        try:
            self._tenant = factory.subscriptions()
            in_scope = self._in_scope()
            self.progress.subscriptions = len(in_scope)
            subscriptions = self._to_read(in_scope)
            self._clients = {s: SubscriptionClients(factory, s) for s in subscriptions}
            self.progress.phase = "resource groups"
            self._run(lambda submit: [submit(s, f"/subscriptions/{s}", "*", self._read_resource_groups, s)
                                      for s in subscriptions])
            self._check_resource_groups_found(in_scope)  # not judged when Graph left subscriptions unread
            self.progress.phase = "resources"
            readable = [s for s in subscriptions if s in self._found.rg_readable]
            self._run(lambda submit: self._start_resources(submit, readable))
        finally:
            factory.close()
            transport.session.close()
        finished = datetime.now(UTC)
        return self._inventory(started, finished, time.monotonic() - clock)

    # --- subscriptions --------------------------------------------------------------------
    def _in_scope(self) -> list[str]:
        client = self._tenant
        excluded = {s.lower() for s in self.scope.exclude}
        if self.scope.management_groups:
            return self._in_management_groups(excluded)
        if self.scope.subscriptions:
            wanted = [s.lower() for s in dict.fromkeys(self.scope.subscriptions) if s.lower() not in excluded]
            self._run(lambda submit: [submit(TENANT_KEY, f"/subscriptions/{s}", "*", self._read_subscription,
                                             client, s) for s in wanted])
            self.in_scope = sorted(wanted)
            # A named subscription that cannot be read is a `*` gap; its resources are not read.
            return sorted(s for s in wanted if s in self._found.subscriptions)
        docs = self._list_subscriptions(client)
        chosen = []
        drops = Counter[str]()
        for sub, doc in _listed_subscriptions(docs, drops):
            if sub in excluded or str(doc.get("state") or "").lower() not in ACTIVE_STATES:
                continue
            kept = self._clean(doc, drops)
            if kept is not None:
                self._found.subscriptions[sub] = kept
                chosen.append(sub)
        self._record_drops("/subscriptions", SUBSCRIPTIONS, drops)
        self.in_scope = sorted(chosen)
        if not chosen:
            raise CollectionError("the credential sees no enabled subscription in scope "
                                  f"({len(docs)} visible, {len(excluded)} excluded); name one with --subscription")
        return sorted(chosen)

    # --- discovery ------------------------------------------------------------------------------
    def _to_read(self, subscriptions: list[str]) -> list[str]:
        """The subscriptions ARM must read: all of them, or (Resource Graph discovery) those Graph
        found collected resources in plus those whose Graph answer was incomplete."""
        mode = self.discovery
        if mode == "auto":
            mode = "graph" if len(subscriptions) >= AUTO_GRAPH_SUBSCRIPTIONS else "arm"
        self._discovered = {"mode": mode}
        if mode != "graph":
            return subscriptions
        self.progress.phase = "resource graph"
        answer, incomplete = GraphAnswer(), []
        for start in range(0, len(subscriptions), MAX_SUBSCRIPTIONS):
            batch = subscriptions[start: start + MAX_SUBSCRIPTIONS]
            problem = self._graph_batch(batch, answer)
            if problem is None:
                self._present.update({s: answer.found.get(s, set()) for s in batch})
            else:  # read with ARM discovery: completed, never taken for "no resources"
                incomplete.append({"subscriptions": len(batch), "error": problem})
        self._discovered.update({
            "consistency": "Azure Resource Graph is eventually consistent: a resource created or moved in "
                           "the last minutes may not be found",
            "graph_pages": answer.pages,
            "subscriptions_without_collected_resources": sum(1 for t in self._present.values() if not t),
            "incomplete_batches_read_with_arm": incomplete})
        return [s for s in subscriptions if s not in self._present or self._present[s]]

    def _graph_batch(self, batch: list[str], answer: GraphAnswer) -> str | None:
        """One batch's discovery, tried once more after a transient failure; the failure's reason, if any."""
        types = [_GRAPH_TYPE.get(spec.type.lower(), spec.type) for spec in self.types]
        for attempt in (1, 2):
            found = {s: set(t) for s, t in answer.found.items()}
            try:
                with reading(self._new_read()):
                    discover(self._tenant, batch, types, answer)
                return None
            except ClientAuthenticationError as exc:
                raise self._auth_failure(exc) from None
            except Exception as exc:
                answer.found = found  # a retry starts the batch over
                reason = self._redact(self._describe(exc)[0])
                LOG.info("resource graph: %s", reason)
                if attempt == 2 or not is_transient(exc) or self._past_deadline():
                    return reason
        raise AssertionError("unreachable")

    def _specs_for(self, sub: str) -> tuple[TypeSpec, ...]:
        present = self._present.get(sub)
        if present is None:
            return self.types
        return tuple(s for s in self.types if _GRAPH_TYPE.get(s.type.lower(), s.type.lower()) in present)

    def _in_management_groups(self, excluded: set[str]) -> list[str]:
        """The subscriptions below the management groups (active ones; any state when also named)
        and those named, from one list of the tenant's subscriptions; a subscription the list does
        not show is read by its id (a `*` gap when that fails too)."""
        named = {s.lower() for s in self.scope.subscriptions}
        for group in dict.fromkeys(self.scope.management_groups):
            self.resolved_groups[group] = self._descendant_subscriptions(group)
        wanted = [s for s in dict.fromkeys([*sorted(named), *(s for subs in self.resolved_groups.values()
                                                                for s in subs)]) if s not in excluded]
        wanted_set = set(wanted)
        drops = Counter[str]()
        listed: dict[str, dict[str, Any]] = {}
        for sub, doc in _listed_subscriptions(self._list_subscriptions(self._tenant), drops):
            if sub in wanted_set:
                kept = self._clean(doc, drops)
                if kept is not None:
                    listed[sub] = kept
        self._record_drops("/subscriptions", SUBSCRIPTIONS, drops)
        self._found.subscriptions.update(listed)
        unlisted = [s for s in wanted if s not in listed]
        self._run(lambda submit: [submit(TENANT_KEY, f"/subscriptions/{s}", "*", self._read_subscription,
                                         self._tenant, s) for s in unlisted])
        # As in a tenant-wide scan: Disabled and Deleted subscriptions are left out unless named.
        inactive = {s for s, doc in self._found.subscriptions.items()
                    if s not in named and str(doc.get("state") or "").lower() not in ACTIVE_STATES}
        for sub in inactive:
            del self._found.subscriptions[sub]
        self.in_scope = sorted(s for s in wanted if s not in inactive)
        if not self.in_scope:
            raise CollectionError(f"management group(s) {', '.join(self.resolved_groups)} hold no enabled "
                                  f"subscription in scope ({len(excluded)} excluded)")
        return sorted(s for s in self.in_scope if s in self._found.subscriptions)

    def _descendant_subscriptions(self, group: str) -> list[str]:
        """Every subscription below a management group, at any depth (one paged list)."""
        path = f"/providers/Microsoft.Management/managementGroups/{group}/descendants"
        drops = Counter[str]()
        found: list[str] = []
        for item in self._tenant_list(f"management group {group}",
                                      lambda: list(arm_list(self._tenant, path, _MANAGEMENT_GROUPS_API))):
            doc = _as_doc(item)
            if doc is None or not isinstance(doc.get("id"), str) or not isinstance(doc.get("type"), str):
                drops[MALFORMED] += 1
            elif _SUBSCRIPTION_ID.match(doc["id"]):
                found.append(doc["id"].rsplit("/", 1)[1].lower())
            elif doc["type"].lower() != "microsoft.management/managementgroups":
                drops[MALFORMED] += 1
        self._record_drops(path, MANAGEMENT_GROUP_DESCENDANTS, drops)
        return sorted(set(found))

    def _list_subscriptions(self, client: Any) -> list[Any]:
        """The tenant's subscriptions."""
        return self._tenant_list("subscriptions", lambda: [to_json(s) for s in client.subscriptions.list()])

    def _tenant_list(self, what: str, load: Callable[[], list[Any]]) -> list[Any]:
        """A list that decides the scan's scope: a transient failure is tried once more, as every
        read is; a failure after that ends the scan (the scope itself is unknown)."""
        for attempt in (1, 2):
            try:
                with reading(self._new_read()):
                    return load()
            except ClientAuthenticationError as exc:
                raise self._auth_failure(exc) from None
            except Exception as exc:
                if attempt == 1 and is_transient(exc) and not self._past_deadline():
                    continue
                raise CollectionError(self._redact(f"cannot list {what}: {self._describe(exc)[0]}")) from None
        raise AssertionError("unreachable")

    def _read_subscription(self, client: Any, sub: str) -> None:
        try:
            doc = to_json(client.subscriptions.get(sub))
        except ClientAuthenticationError as exc:  # no token, or ARM refuses it: nothing can be read
            raise self._auth_failure(exc) from None
        drops = Counter[str]()
        if not _is_subscription(doc, sub):
            drops[MALFORMED] += 1
        kept = self._clean(doc, drops) if not drops else None
        self._record_drops(f"/subscriptions/{sub}", "*", drops)
        if kept is not None:
            with self._found.lock:
                self._found.subscriptions[sub] = kept

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
        # Any failure here is a `*` gap for the subscription (see the module docstring): a group
        # that cannot be kept may be the one whose tags place resources in a landing zone.
        docs = [to_json(g) for g in self._clients[sub].resources.resource_groups.list()]
        kept = self._kept(docs, lambda doc: id_problem(doc, f"/subscriptions/{sub}/", _RESOURCE_GROUP_ID),
                          f"/subscriptions/{sub}", "*", "resource_groups")
        if kept is None:
            return
        with self._found.lock:
            for doc in kept:
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
    def _start_resources(self, submit: Callable[..., None], subscriptions: list[str]) -> None:
        if subscriptions:  # read through the first subscription; every subscription sees the same list
            submit(subscriptions[0], f"/subscriptions/{subscriptions[0]}", LOCATIONS, self._read_locations,
                   subscriptions[0])
        for sub in subscriptions:
            self._start_subscription(submit, sub)

    def _start_subscription(self, submit: Callable[..., None], sub: str) -> None:
        root = f"/subscriptions/{sub}"
        submit(sub, root, LOCKS, self._read_locks, sub)
        for spec in self._specs_for(sub):
            submit(sub, root, spec.type, self._read_type, sub, spec, discovers=bool(spec.children))

    def _read_locations(self, sub: str) -> None:
        docs = [to_json(loc) for loc in self._tenant.subscriptions.list_locations(sub)]
        kept = self._kept(docs, lambda doc: id_problem(doc, f"/subscriptions/{sub}/", _LOCATION_ID)
                          or (None if isinstance(doc.get("name"), str) and doc["name"] else MALFORMED),
                          f"/subscriptions/{sub}", LOCATIONS, "locations", keep_partial=True)
        with self._found.lock:
            self._found.locations[sub] = kept or []

    def _read_locks(self, sub: str) -> None:
        # list_at_subscription_level returns the locks of the subscription and everything in it.
        docs = raw_pages(self._clients[sub].locks.management_locks.list_at_subscription_level)
        kept = self._kept(docs, lambda doc: id_problem(doc, f"/subscriptions/{sub}/", _LOCK_ID),
                          f"/subscriptions/{sub}", LOCKS, "locks", keep_partial=True)
        with self._found.lock:
            for doc in kept or []:
                if self._in_rg_scope(str(doc["id"]), lock=True):
                    self._found.locks[str(doc["id"]).lower()] = doc

    def _read_type(self, sub: str, spec: TypeSpec) -> None:
        self._store(sub, f"/subscriptions/{sub}", spec.type, spec.list(self._clients[sub]), spec.children)

    def _read_child(self, sub: str, parent: Mapping[str, Any], spec: ChildSpec) -> None:
        self._store(sub, str(parent["id"]), spec.type, spec.fetch(self._clients[sub], parent), spec.children)

    def _enrich(self, sub: str, parent: Mapping[str, Any], spec: EnrichSpec) -> None:
        """Re-read the parent: the answer must be that very document."""
        doc = _as_doc(spec.fetch(self._clients[sub], parent))
        parent_id = str(parent["id"])
        drops = Counter[str]()
        problem = resource_problem(doc, type_of(parent), f"/subscriptions/{sub}")
        if problem is None and str(doc["id"]).lower() != parent_id.lower():
            problem = FOREIGN
        if problem is not None:
            drops[problem] += 1
        kept = self._clean(doc, drops) if problem is None else None
        self._record_drops(parent_id, spec.data, drops)
        if kept is not None:
            with self._found.lock:
                self._found.resources[parent_id.lower()] = kept
                self._found.enriched.add(parent_id.lower())

    def _store(self, sub: str, scope: str, resource_type: str, items: Iterable[Any],
               children: tuple[ChildSpec | EnrichSpec, ...]) -> None:
        """Keep every document that answers what was asked (even when a later page fails), then
        queue its children; count the others by reason."""
        drops = Counter[str]()
        seen: set[str] = set()
        try:
            for item in items:
                doc = _as_doc(item)
                problem = resource_problem(doc, resource_type, scope)
                if problem is None and str(doc["id"]).lower() in seen:
                    problem = DUPLICATE
                if problem is not None:
                    drops[problem] += 1
                    continue
                assert doc is not None
                seen.add(str(doc["id"]).lower())
                kept = self._clean(doc, drops)
                if kept is None or not self._in_rg_scope(str(doc["id"])):
                    continue
                with self._found.lock:
                    # A list read again must not replace what a document's own re-read added to it
                    # (its children, that re-read among them, are not queued twice).
                    if str(doc["id"]).lower() not in self._found.enriched:
                        self._found.resources[str(doc["id"]).lower()] = kept
                    self.progress.resources = len(self._found.resources)
                self._queue_children(sub, doc, children)  # as ARM sent it: its id names the children's URLs
        finally:
            self._record_drops(scope, resource_type, drops)

    def _queue_children(self, sub: str, doc: Mapping[str, Any], children: tuple[ChildSpec | EnrichSpec, ...]) -> None:
        assert self._scheduler is not None
        for child in children:
            data = child.data if isinstance(child, EnrichSpec) else child.type
            if not child.when(doc) or not self._first_time(str(doc["id"]), data):
                continue
            if isinstance(child, EnrichSpec):
                self._submit(sub, str(doc["id"]), data, self._enrich, sub, doc, child)
            else:
                self._submit(sub, str(doc["id"]), data, self._read_child, sub, doc, child,
                             discovers=bool(child.children))

    def _first_time(self, parent_id: str, data: str) -> bool:
        """A list read again (re-read pass) must not queue its children's reads twice."""
        key = (parent_id.lower(), data.lower())
        with self._found.lock:
            if key in self._found.queued:
                return False
            self._found.queued.add(key)
            return True

    # --- documents --------------------------------------------------------------------------
    def _kept(self, docs: list[Any], problem_of: Callable[[Any], str | None], scope: str, data: str, section: str,
              keep_partial: bool = False) -> list[dict[str, Any]] | None:
        """The documents of a list that are not resources (groups, locks, locations: the snapshot
        `section` they are saved in), scrubbed; None when some had to be dropped (the gap says why),
        unless `keep_partial`."""
        drops = Counter[str]()
        kept: dict[str, dict[str, Any]] = {}
        for item in docs:
            doc = _as_doc(item)
            problem = MALFORMED if doc is None else problem_of(doc) or unstorable(doc, section)
            if problem is None and str(doc["id"]).lower() in kept:
                problem = DUPLICATE
            if problem is not None:
                drops[problem] += 1
                continue
            assert doc is not None
            clean = self._clean(doc, drops)
            if clean is not None:
                kept[str(doc["id"]).lower()] = clean
        self._record_drops(scope, data, drops)
        return list(kept.values()) if keep_partial or not drops else None

    def _clean(self, doc: Mapping[str, Any], drops: Counter[str]) -> dict[str, Any] | None:
        """The document without secrets, or None (counted) when it cannot be stored."""
        try:
            clean, changed = scrub(doc, self.secrets)
        except MalformedPayload:
            drops[MALFORMED] += 1
            return None
        if changed:
            with self._found.lock:
                self._found.redacted += changed
        return clean

    def _record_drops(self, scope: str, data: str, drops: Counter[str]) -> None:
        """Count what a read dropped (replacing an earlier attempt's count) and, when it dropped
        anything, record a gap for what was asked: the dropped document may have been the one
        that mattered."""
        key = (scope.lower(), data.lower())
        with self._found.lock:
            if sum(drops.values()):
                self._found.dropped[key] = drops
            else:
                self._found.dropped.pop(key, None)
        if sum(drops.values()):
            self._gap(scope, data, describe_drops(drops, data), None)

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
        """Run a phase, then read again, once, what failed for a transient reason (and what those
        reads discover), while the scan's deadline allows."""
        self._run_pass(seed)
        while self._failed and not self._past_deadline():
            failed, self._failed = self._failed, []
            self._rereads["reads"] += len(failed)
            self._run_pass(lambda submit, failed=failed: [self._reread(f) for f in failed])
            with self._found.lock:
                self._rereads["recovered"] += sum(1 for f in failed if _gap_key(self._redact(f.scope), f.data)
                                                  not in self._found.gaps)
        self._failed = []

    def _run_pass(self, seed: Callable[[Callable[..., None]], Any]) -> None:
        scheduler = self._scheduler = Scheduler(self.max_concurrency, self._ready_in, self._task_crashed)
        seed(self._submit)
        scheduler.run()
        if self._fatal is not None:
            raise self._fatal

    def _reread(self, failed: _Failed) -> None:
        with self._found.lock:
            self._found.gaps.pop(_gap_key(self._redact(failed.scope), failed.data), None)
        self._submit(failed.key, failed.scope, failed.data, failed.fn, *failed.args, discovers=failed.discovers,
                     again=True)

    def _ready_in(self, key: str) -> float:
        # Past the deadline nothing waits for a throttled subscription: its reads end at once, as gaps.
        return 0.0 if self._past_deadline() else self.throttle.ready_in(key)

    def _past_deadline(self) -> bool:
        return time.monotonic() >= self._deadline

    def _new_read(self) -> Read:
        now = time.monotonic()
        if now + self.limits.list_deadline < self._deadline:
            return Read(now + self.limits.list_deadline, f"the {_seconds(self.limits.list_deadline)} per-read deadline",
                        self.limits.max_pages)
        return Read(self._deadline, f"the scan deadline ({_seconds(self.limits.scan_deadline)})",
                    self.limits.max_pages)

    def subscriptions_done(self) -> int:
        """Subscriptions with no read left to do (for the progress display)."""
        scheduler = self._scheduler
        if self.progress.phase != "resources" or scheduler is None:
            return 0
        return sum(1 for s in self._clients if s not in self._found.rg_readable or not scheduler.pending(s))

    def _submit(self, key: str, scope: str, data: str, fn: Callable[..., None], *args: Any,
                discovers: bool = False, again: bool = False) -> None:
        scheduler = self._scheduler
        assert scheduler is not None

        def run() -> None:
            try:
                with reading(self._new_read()):
                    fn(*args)
            except CollectionError as exc:
                self._fatal = exc
                scheduler.stop()
            except Exception as exc:
                message, status = self._describe(exc)
                self._gap(scope, data, message, status, replace=True)  # the failure, not what it dropped before
                if not again and is_transient(exc):
                    with self._found.lock:
                        self._failed.append(_Failed(key, scope, data, fn, args, discovers))

        scheduler.submit(key, run, f"{data} @ {scope}", discovers=discovers)

    def _describe(self, exc: BaseException) -> tuple[str, int | None]:
        try:
            return describe(exc, self.limits.retry_after_cap)
        except Exception as failure:  # a failure that cannot be put into words is still a gap, never none
            return f"internal error: {type(exc).__name__} (not described: {type(failure).__name__})", None

    def _task_crashed(self, task: Task, exc: BaseException) -> None:
        LOG.error("task %s crashed: %s", task.label, exc)

    def _gap(self, scope: str, data: str, message: str, status: int | None, replace: bool = False) -> None:
        gap = ReadGap(self._redact(scope), data, self._redact(message), status)
        LOG.info("read gap: %s of %s: %s", data, gap.scope, gap.error)
        with self._found.lock:
            if replace:
                self._found.gaps[_gap_key(gap.scope, data)] = gap
            else:
                self._found.gaps.setdefault(_gap_key(gap.scope, data), gap)
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
        dropped = empty_counts()
        for counts in found.dropped.values():
            dropped.update(counts)
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
                "scopes": {**self.scope.to_json(), "scanned_subscriptions": self.in_scope,
                           "management_groups": self.resolved_groups},
                "discovery": self._discovered,
                "started_at": _iso(started),
                "duration_seconds": round(seconds, 3),
                "requests": self.stats.requests,
                "throttled_responses": self.stats.throttled,
                "dropped_documents": dict(dropped),
                "redacted_values": found.redacted,
                "rereads": {"reads": self._rereads["reads"], "recovered": self._rereads["recovered"]},
                "deadline_reached": self._past_deadline(),
                "limits": _limits_json(self.limits),
            },
        )


def _as_doc(item: Any) -> dict[str, Any] | None:
    """An item of a list as the JSON ARM sent, or None when it is not a JSON object."""
    try:
        doc = to_json(item)
    except MalformedPayload:
        return None
    return doc if isinstance(doc, dict) else None


def _is_subscription(doc: Any, sub: str | None = None) -> bool:
    """A subscription document: `id` /subscriptions/<its subscriptionId> (the one asked for, if any)."""
    if not (isinstance(doc, dict) and isinstance(doc.get("subscriptionId"), str) and isinstance(doc.get("id"), str)):
        return False
    sub_id = doc["subscriptionId"].lower()
    return bool(_SUBSCRIPTION_ID.match(doc["id"])) and doc["id"].lower() == f"/subscriptions/{sub_id}" \
        and sub in (None, sub_id) and unstorable(doc, "subscriptions") is None


def _listed_subscriptions(docs: Iterable[Any], drops: Counter[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(subscription id, document) of each subscription a list names, once; the others counted in
    `drops` (malformed, or repeating a subscription already listed: which copy to believe?)."""
    seen: set[str] = set()
    for doc in docs:
        if not _is_subscription(doc):
            drops[MALFORMED] += 1
            continue
        sub = doc["subscriptionId"].lower()
        if sub in seen:
            drops[DUPLICATE] += 1
            continue
        seen.add(sub)
        yield sub, doc


def _gap_key(scope: str, data: str) -> tuple[str, str]:
    return scope.lower(), data.lower()


def _subscription_gaps(gaps: dict[tuple[str, str], ReadGap]) -> list[ReadGap]:
    """A subscription that could not be read at all is one gap (`*`), not one per type."""
    whole = {scope for (scope, data) in gaps if data == "*"}
    return [g for (scope, data), g in gaps.items()
            if data == "*" or not any(scope == w or scope.startswith(w + "/") for w in whole)]


def _seconds(value: float) -> str:
    for unit, size in (("h", 3600), ("min", 60)):
        if value >= size and value % size == 0:
            return f"{value / size:g} {unit}"
    return f"{value:g} s"


def _limits_json(limits: Limits) -> dict[str, Any]:
    return {"retry_after_cap_seconds": limits.retry_after_cap, "retry_wait_budget_seconds": limits.retry_wait_budget,
            "request_deadline_seconds": limits.request_deadline,
            "max_response_bytes": limits.max_response_bytes, "max_pages_per_list": limits.max_pages,
            "list_deadline_seconds": limits.list_deadline, "scan_deadline_seconds": limits.scan_deadline}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
