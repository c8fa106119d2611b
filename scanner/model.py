"""The inventory: ARM JSON documents plus the child configuration and metadata checks need.

Resources are kept exactly as ARM (or Resource Graph) returns them, so an inventory can be
saved as a snapshot and re-evaluated offline. Ids and types compare case-insensitively, as
ARM does; everything here keys on lower-cased ids.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from scanner.regions import RegionCatalog, RegionInfo, normalize_region

T = TypeVar("T")
_SUBSCRIPTION_RE = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
_RESOURCE_GROUP_RE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)", re.IGNORECASE)
_LOCK_MARKER = "/providers/microsoft.authorization/locks/"
_ABSENT = object()


def subscription_of(resource_id: str) -> str | None:
    parts = _id_parts(resource_id)
    if parts is not None:
        return parts[2].lower()
    match = _SUBSCRIPTION_RE.match(resource_id or "")
    return match.group(1).lower() if match else None


def resource_group_of(resource_id: str) -> str | None:
    parts = _id_parts(resource_id)
    if parts is not None and len(parts) > 4 and parts[3] in ("resourceGroups", "resourcegroups") and parts[4]:
        return parts[4]
    match = _RESOURCE_GROUP_RE.match(resource_id or "")
    return match.group(1) if match else None


def _subscription_and_group(resource_id: str) -> tuple[str | None, str | None]:
    """`subscription_of` and `resource_group_of` together, splitting the id once in the common case."""
    parts = _id_parts(resource_id)
    if parts is not None and len(parts) > 4 and parts[3] in ("resourceGroups", "resourcegroups") and parts[4]:
        return parts[2].lower(), parts[4]
    return subscription_of(resource_id), resource_group_of(resource_id)


def _placement(resource_id: str, key: str) -> tuple[str | None, str | None, str | None]:
    """(subscription, resource group, parent id): `_subscription_and_group` and `parent_id_of` at once, in
    one split where the id is spelled as ARM writes it (`/subscriptions/<s>/resourceGroups/<g>/providers/`,
    the only `/providers/`); `key` is the id lower-cased. Worked out for each of 100,000 resources a load."""
    parts = resource_id.split("/")
    if (len(parts) > 6 and parts[5] == "providers" and not parts[0] and parts[1] == "subscriptions" and parts[2]
            and parts[3] in ("resourceGroups", "resourcegroups") and parts[4]
            and key.rfind("/providers/") == 4 + len(parts[1]) + len(parts[2]) + len(parts[3]) + len(parts[4])):
        # The last /providers/ follows the group: a child's parent drops the last (type, name) pair.
        return parts[2].lower(), parts[4], "/".join(parts[:-2]) if len(parts) > 10 else None
    return (*_subscription_and_group(resource_id), parent_id_of(resource_id, key))


def _id_parts(resource_id: str) -> list[str] | None:
    """The id split at its first five slashes when it is spelled as ARM writes it (`/subscriptions/<id>`):
    the common case, without the case-insensitive patterns (the fallback for every other spelling)."""
    if not resource_id or not resource_id.startswith("/subscriptions/"):
        return None
    parts = resource_id.split("/", 5)
    return parts if parts[2] else None


def parent_id_of(resource_id: str, lowered: str | None = None) -> str | None:
    """The id of the resource a child resource belongs to, or None for a top-level resource.

    `/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a/databases/b` has the
    parent `.../Microsoft.Sql/servers/a`; a top-level resource (namespace/type/name) has none.
    `lowered`: the id lower-cased, where the caller has it already.
    """
    cut = (lowered if lowered is not None else resource_id.lower()).rfind("/providers/")
    if cut < 0:
        return None
    segments = resource_id[cut + len("/providers/") :].split("/")
    # namespace + (type, name) pairs: more than one pair means this is a child resource.
    if len(segments) < 5:
        return None
    return resource_id[:cut] + "/providers/" + "/".join(segments[:-2])


def type_from_id(resource_id: str) -> str:
    """`.../providers/Microsoft.Sql/servers/a/databases/b` -> `Microsoft.Sql/servers/databases`.

    Some real ARM payloads (SQL replication links, for one) carry no `type` field.
    """
    cut = resource_id.lower().rfind("/providers/")
    if cut < 0:
        return ""
    namespace, *rest = resource_id[cut + len("/providers/") :].split("/")
    return "/".join([namespace, *rest[0::2]])


def _is_mapping(value: Any) -> bool:
    """isinstance(value, Mapping), without the ABC's check for the dicts JSON is made of (the checks ask
    millions of times)."""
    return type(value) is dict or isinstance(value, Mapping)


class cached_attribute(Generic[T]):
    """`functools.cached_property` without its lock: Python 3.11 takes an RLock on every first access,
    a fifth of the time a 100,000-resource scan spends in the model. The value is computed once and kept
    in the instance's `__dict__` (which frozen dataclasses allow), so later reads never reach here."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


def lock_scope_of(lock_id: str) -> str:
    """The scope a management lock applies to (subscription, resource group or resource id)."""
    cut = lock_id.lower().find(_LOCK_MARKER)
    return lock_id[:cut] if cut >= 0 else lock_id


class Resource:
    """One ARM resource document. `raw` is the JSON exactly as ARM returned it.

    Its id, type, name and place are worked out once, when it is made (plain string work that cannot
    fail): an estate of 100,000 resources asks for them millions of times. Slots, and read-only as a
    frozen dataclass is: a dict per resource was 45 MB of peak RSS at 100,000 resources.
    """

    __slots__ = ("id", "key", "location", "name", "parent_id", "raw", "resource_group", "subscription_id", "type",
                 "type_key")
    raw: Mapping[str, Any]
    id: str
    key: str  # the id lower-cased: what lookups compare
    name: str
    type: str
    type_key: str  # the type lower-cased, interned (a few dozen types, 100,000 resources)
    location: str | None  # normalized (eastus2), interned
    subscription_id: str | None  # lower-cased, interned
    resource_group: str | None  # as the id spells it, interned
    parent_id: str | None

    def __init__(self, raw: Mapping[str, Any]) -> None:
        resource_id = str(raw.get("id") or "")
        resource_type = str(raw.get("type") or type_from_id(resource_id))
        region = normalize_region(raw.get("location"))
        key = resource_id.lower()
        subscription, group, parent = _placement(resource_id, key)
        # object.__setattr__: assignment is refused (read-only, as the frozen dataclass this was).
        init = object.__setattr__
        init(self, "raw", raw)
        init(self, "id", resource_id)
        init(self, "key", key)
        init(self, "name", str(raw.get("name") or resource_id.rsplit("/", 1)[-1]))
        init(self, "type", resource_type)
        init(self, "type_key", sys.intern(resource_type.lower()))
        init(self, "location", sys.intern(region) if region else region)
        init(self, "subscription_id", sys.intern(subscription) if subscription else subscription)
        init(self, "resource_group", sys.intern(group) if group else group)
        init(self, "parent_id", parent)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"Resource(raw={self.raw!r})"

    @property
    def resource_group_key(self) -> str | None:
        """The lower-cased id of the resource's resource group, or None outside one."""
        sub, rg = self.subscription_id, self.resource_group
        return f"/subscriptions/{sub}/resourcegroups/{rg.lower()}" if sub and rg else None

    @property
    def kind(self) -> str | None:
        return self.raw.get("kind")

    @property
    def sku(self) -> Mapping[str, Any] | None:
        sku = self.raw.get("sku")
        return sku if _is_mapping(sku) else None

    @property
    def tags(self) -> dict[str, str]:
        tags = self.raw.get("tags")
        return {str(k): str(v) for k, v in tags.items()} if _is_mapping(tags) else {}

    @property
    def properties(self) -> Mapping[str, Any]:
        props = self.raw.get("properties")
        return props if _is_mapping(props) else {}

    def prop(self, *path: str, default: Any = None) -> Any:
        """A nested value under `properties`, or `default` when any step is missing."""
        # `properties` and `_is_mapping` inlined: checks ask 370,000 times at 100,000 resources.
        node: Any = self.raw.get("properties")
        if type(node) is not dict and not isinstance(node, Mapping):
            node = {}
        for step in path:
            if (type(node) is not dict and not isinstance(node, Mapping)) or step not in node:
                return default
            node = node[step]
        return node


@dataclass(frozen=True)
class ReadGap:
    """Something the collector could not read. Checks that need it return *unknown*.

    `scope` is a subscription, resource-group or resource id; `data` names what was not read:
    a resource type (`Microsoft.Sql/servers/failoverGroups`), a property
    (`geoReplicationStats`) or `*` for everything under the scope.
    """

    scope: str
    data: str
    error: str
    status: int | None = None

    def covers(self, resource_id: str, data: str) -> bool:
        return self.names(data) and self.holds(resource_id.lower())

    def names(self, data: str) -> bool:
        return self.data == "*" or self.data.lower() == data.lower()

    def holds(self, resource_key: str) -> bool:
        """Whether the lower-cased resource id is the scope or below it."""
        scope = self._scope_key
        return resource_key == scope or resource_key.startswith(scope + "/")

    @cached_attribute
    def _scope_key(self) -> str:
        return self.scope.lower().rstrip("/")

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "data": self.data, "error": self.error, "status": self.status}


@dataclass
class Inventory:
    """Everything a scan knows about an estate, indexed for the checks."""

    resources: list[Resource] = field(default_factory=list)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    resource_groups: list[dict[str, Any]] = field(default_factory=list)
    locks: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[ReadGap] = field(default_factory=list)
    collected_at: datetime | None = None
    source: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Index the inventory again after its lists changed. The resources are indexed when first looked
        up: loading makes inventories that are merged before anything is looked up in them."""
        self._resource_index: _ResourceIndex | None = None
        self._rg_tags = {
            str(rg.get("id", "")).lower(): {str(k): str(v) for k, v in rg["tags"].items()}
            if isinstance(rg.get("tags"), Mapping) else {}
            for rg in self.resource_groups
        }
        self._locks_by_scope: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for lock in self.locks:
            self._locks_by_scope[lock_scope_of(str(lock.get("id", ""))).lower()].append(lock)
        self.regions = RegionCatalog.from_locations(self.locations)
        self._derived: dict[Hashable, Any] = {}
        self._gap_filters: tuple[tuple[int, int] | None, dict[str, list[ReadGap]]] = (None, {})

    def derived(self, key: Hashable, build: Callable[[Inventory], T]) -> T:
        """An estate-wide index a check needs (built once per inventory, not once per resource:
        a lookup across 100,000 resources for each of them would be quadratic). `key` is a name, or a
        tuple starting with one where the index depends on more (a policy, a scan time)."""
        found = self._derived.get(key, _ABSENT)
        if found is _ABSENT:
            found = self._derived[key] = build(self)
        return found  # type: ignore[no-any-return]

    def per_resource(self, name: str, resource: Resource, compute: Callable[[Inventory, Resource], T]) -> T:
        """`compute(self, resource)`, worked out once per resource: several checks and the recovery model ask
        for the same lookups of one resource (a database's failover groups, 4 times a scan). Lookups read
        gaps, so a replaced `gaps` list starts afresh (as `_gaps_naming` does)."""
        memo: dict[str, T] = self.derived((name, id(self.gaps), len(self.gaps)), _new_memo)
        found = memo.get(resource.key, _ABSENT)
        if found is _ABSENT:
            found = memo[resource.key] = compute(self, resource)
        return found  # type: ignore[return-value]

    # --- lookups -------------------------------------------------------------------------
    def _resources_indexed(self) -> _ResourceIndex:
        if self._resource_index is None:
            self._resource_index = _ResourceIndex(self.resources)
        return self._resource_index

    def get(self, resource_id: str) -> Resource | None:
        return (self._resource_index or self._resources_indexed()).by_id.get(resource_id.lower())

    def of_type(self, resource_type: str) -> Iterator[Resource]:
        return iter((self._resource_index or self._resources_indexed()).by_type.get(resource_type.lower(), ()))

    def children(self, parent: Resource | str, child_type: str) -> list[Resource]:
        parent_key = parent.key if isinstance(parent, Resource) else parent.lower()
        index = self._resource_index or self._resources_indexed()
        return list(index.children.get((parent_key, child_type.lower()), []))

    def gap(self, resource: Resource | str, data: str) -> ReadGap | None:
        """The read gap, if any, that leaves `data` of this resource unknown (the first one listed)."""
        if not self.gaps:  # everything was read
            return None
        gaps = self._gaps_naming(data)
        if not gaps:  # the common case: asked 115,000 times at 100,000 resources
            return None
        key = resource.key if isinstance(resource, Resource) else resource.lower()
        return next((g for g in gaps if g.holds(key)), None)

    def _gaps_naming(self, data: str) -> list[ReadGap]:
        """The gaps about `data` (or everything), in list order; asked for by every check on every resource,
        so filtered once per kind of data. `gaps` is replaced after loading (a list, not indexed by
        `reindex`): the filter is keyed by the list and its length."""
        key = (id(self.gaps), len(self.gaps))
        if self._gap_filters[0] != key:
            self._gap_filters = (key, {})
        filters = self._gap_filters[1]
        wanted = data.lower()
        if wanted not in filters:
            filters[wanted] = [g for g in self.gaps if g.names(wanted)]
        return filters[wanted]

    def resource_group_tags(self, resource: Resource) -> dict[str, str]:
        key = resource.resource_group_key
        return self._rg_tags.get(key, {}) if key else {}

    def effective_tags(self, resource: Resource) -> dict[str, str]:
        """The tags that place a resource in a landing zone: its resource group's, then its parents'
        (a SQL server's for its databases), then its own; the nearer scope wins on a clash."""
        chain: list[Resource] = []
        parent = self.get(resource.parent_id) if resource.parent_id else None
        while parent is not None:
            chain.append(parent)
            parent = self.get(parent.parent_id) if parent.parent_id else None
        tags = dict(self.resource_group_tags(resource))
        for ancestor in reversed(chain):
            tags.update(ancestor.tags)
        tags.update(resource.tags)
        return tags

    def locks_covering(self, resource: Resource) -> list[dict[str, Any]]:
        """Locks at the resource's own scope, its resource group's or its subscription's."""
        scopes = [resource.key]
        parent = resource.parent_id
        while parent:
            scopes.append(parent.lower())
            parent = parent_id_of(parent)
        sub = resource.subscription_id
        if resource.resource_group_key:
            scopes.append(resource.resource_group_key)
        if sub:
            scopes.append(f"/subscriptions/{sub}")
        return [lock for scope in scopes for lock in self._locks_by_scope.get(scope, [])]

    def region(self, name: str | None) -> RegionInfo | None:
        return self.regions.get(name)

    @property
    def subscription_ids(self) -> list[str]:
        ids = {str(s.get("subscriptionId") or subscription_of(str(s.get("id", ""))) or "").lower()
               for s in self.subscriptions}
        ids |= {r.subscription_id for r in self.resources if r.subscription_id}
        return sorted(i for i in ids if i)

    def merge(self, other: Inventory) -> None:
        """Add another inventory's contents (later documents win on duplicate ids)."""
        self.merge_all([other])

    def merge_all(self, others: Iterable[Inventory]) -> None:
        """Add several inventories in one pass, later ones winning on duplicate ids: linear in the documents,
        where merging one at a time would re-index everything for each (quadratic over a directory)."""
        parts = [self, *others]
        self.resources = list({r.key: r for part in parts for r in part.resources}.values())
        self.subscriptions = _dedupe((s for part in parts for s in part.subscriptions), _subscription_key)
        self.resource_groups = _dedupe((g for part in parts for g in part.resource_groups), _id_key)
        self.locks = _dedupe((lock for part in parts for lock in part.locks), _id_key)
        self.locations = _dedupe((loc for part in parts for loc in part.locations), _name_key)
        self.gaps = [gap for part in parts for gap in part.gaps]
        for other in parts[1:]:
            if other.collected_at and (not self.collected_at or other.collected_at > self.collected_at):
                self.collected_at = other.collected_at
            self.source = {**other.source, **self.source}
        self.reindex()


def _new_memo(_: Inventory) -> dict[str, Any]:
    return {}


class _ResourceIndex:
    """An inventory's resources by id, by type and by (parent, child type), lower-cased."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.by_id: dict[str, Resource] = {}
        self.by_type: dict[str, list[Resource]] = defaultdict(list)
        self.children: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for resource in resources:
            self.by_id[resource.key] = resource
            self.by_type[resource.type_key].append(resource)
            parent = resource.parent_id
            if parent:
                self.children[(parent.lower(), resource.type_key)].append(resource)


def _dedupe(items: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], str | None]) -> list[dict[str, Any]]:
    """One item per key, the last one winning; an item without a key is kept, never dropped."""
    seen: dict[object, dict[str, Any]] = {}
    for item in items:
        seen[key(item) or object()] = item
    return list(seen.values())


def _id_key(item: Mapping[str, Any]) -> str | None:
    value = item.get("id")
    return value.lower() if isinstance(value, str) and value else None


def _name_key(item: Mapping[str, Any]) -> str | None:
    value = item.get("name")
    return value.lower() if isinstance(value, str) and value else None


def _subscription_key(item: Mapping[str, Any]) -> str | None:
    value = item.get("subscriptionId")
    if isinstance(value, str) and value:
        return value.lower()
    return subscription_of(item["id"]) if isinstance(item.get("id"), str) else None
