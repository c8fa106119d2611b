"""An estate to serve: the documents of one or more bcdr-scan snapshot files, indexed by the
ARM paths that list or get them. Nothing here knows a resource type: any resource is served at
its id, listed at subscription level by its type and under its parent as a child."""

from __future__ import annotations

import copy
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# ARM lists a Recovery Services vault's protected items (ids `<vault>/backupFabrics/f/protectionContainers/c/
# protectedItems/p`) at `<vault>/backupProtectedItems`, not under their container.
_PROTECTED_ITEMS = re.compile(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.recoveryservices/"
                              r"vaults/[^/]+)/.*/protecteditems/[^/]+$")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
LOCKS_SUFFIX = "/providers/microsoft.authorization/locks"


MANAGEMENT_GROUPS = "/providers/microsoft.management/managementgroups/"


@dataclass(frozen=True)
class ManagementGroup:
    """A management group: its parent (None under the tenant root) and the subscriptions directly in it."""

    name: str
    parent: str | None = None
    subscriptions: tuple[str, ...] = ()


@dataclass
class Estate:
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    resource_groups: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    locks: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    collected_at: datetime | None = None
    management_groups: list[ManagementGroup] = field(default_factory=list)

    # --- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Estate:
        path = Path(path)
        files = sorted(p for p in path.iterdir() if p.name.endswith((".json", ".json.gz"))) if path.is_dir() else [path]
        estate = cls()
        for file in files:
            raw = file.read_bytes()
            estate.add_document(json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw))
        return estate

    def add_document(self, doc: dict[str, Any]) -> None:
        for name in ("subscriptions", "locations", "resource_groups", "resources", "locks", "gaps"):
            getattr(self, name).extend(copy.deepcopy(doc.get(name) or []))
        stamp = doc.get("collected_at")
        if stamp:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            self.collected_at = max(self.collected_at, when) if self.collected_at else when
        # Later files win on duplicate ids, as when bcdr-scan merges a snapshot directory.
        self.resources = list({r["id"].lower(): r for r in self.resources}.values())

    def shifted_to(self, now: datetime) -> Estate:
        """The same estate with every timestamp moved so that `collected_at` becomes `now`:
        ages (replication lag, backup age) are then the same for a live scan now as for the
        snapshot's own scan time."""
        if not self.collected_at:
            return self
        delta = timedelta(seconds=round((now - self.collected_at).total_seconds()))
        out = copy.deepcopy(self)
        for name in ("subscriptions", "locations", "resource_groups", "resources", "locks"):
            setattr(out, name, [_shift(d, delta) for d in getattr(out, name)])
        out.collected_at = self.collected_at + delta
        return out

    # --- indexing -------------------------------------------------------------------------------
    def index(self) -> Index:
        return Index(self)


class Index:
    """Lower-cased ARM paths -> what a GET of that path returns."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.subscriptions = {_sub_id(s).lower(): s for s in estate.subscriptions}
        self.docs: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for sub in estate.subscriptions:
            self.docs[f"/subscriptions/{_sub_id(sub).lower()}"] = sub
        for group in estate.resource_groups:
            gid = group["id"].lower()
            self.docs[gid] = group
            self.collections[gid.rsplit("/", 1)[0]].append(group)
        for resource in estate.resources:
            rid = resource["id"].lower()
            self.docs[rid] = resource
            self.collections[rid.rsplit("/", 1)[0]].append(resource)
            top = _subscription_level_collection(rid)
            if top:
                self.collections[top].append(resource)
            vault = _PROTECTED_ITEMS.match(rid)
            if vault:
                self.collections[f"{vault.group(1)}/backupprotecteditems"].append(resource)
        self.locks = estate.locks
        for lock in estate.locks:
            self.docs[lock["id"].lower()] = lock

    def subscription_exists(self, sub: str) -> bool:
        return sub.lower() in self.subscriptions

    def locks_under(self, scope: str) -> list[dict[str, Any]]:
        """Locks at `scope` or below it, as ARM lists them at subscription or group level."""
        scope = scope.lower().rstrip("/")
        out = []
        for lock in self.locks:
            lock_scope = lock["id"].lower().split(LOCKS_SUFFIX + "/")[0]
            if lock_scope == scope or lock_scope.startswith(scope + "/"):
                out.append(lock)
        return out

    def descendants(self, group: str) -> list[dict[str, Any]] | None:
        """What `GET .../managementGroups/{group}/descendants` lists: every group and subscription
        below it, at any depth, parents before children; None for a group that does not exist."""
        groups = {g.name.lower(): g for g in self.estate.management_groups}
        if group.lower() not in groups:
            return None
        out: list[dict[str, Any]] = []
        parents = [groups[group.lower()]]
        while parents:
            parent = parents.pop(0)
            parent_id = f"/providers/Microsoft.Management/managementGroups/{parent.name}"
            for sub in parent.subscriptions:
                out.append({"id": f"/subscriptions/{sub}", "type": "/subscriptions", "name": sub,
                            "properties": {"displayName": f"subscription {sub}", "parent": {"id": parent_id}}})
            for child in (g for g in self.estate.management_groups if (g.parent or "").lower() == parent.name.lower()):
                out.append({"id": f"/providers/Microsoft.Management/managementGroups/{child.name}",
                            "type": "Microsoft.Management/managementGroups", "name": child.name,
                            "properties": {"displayName": child.name, "parent": {"id": parent_id}}})
                parents.append(child)
        return out

    def locations_for(self, sub: str) -> list[dict[str, Any]]:
        """The estate's locations, with the ids of the subscription asked for."""
        out = []
        for location in self.estate.locations:
            doc = copy.deepcopy(location)
            if isinstance(doc.get("id"), str):
                doc["id"] = re.sub(r"^/subscriptions/[^/]+", f"/subscriptions/{sub}", doc["id"])
            out.append(doc)
        return out


def _sub_id(sub: dict[str, Any]) -> str:
    return str(sub.get("subscriptionId") or str(sub.get("id", "")).rsplit("/", 1)[-1])


def _subscription_level_collection(resource_id: str) -> str | None:
    """`/subscriptions/s/resourcegroups/g/providers/ns/type/name` -> `/subscriptions/s/providers/ns/type`
    (top-level resources only: what a subscription-level list of that type returns)."""
    match = re.match(r"^(/subscriptions/[^/]+)/resourcegroups/[^/]+/providers/([^/]+)/([^/]+)/[^/]+$", resource_id)
    return f"{match.group(1)}/providers/{match.group(2)}/{match.group(3)}" if match else None


def _shift(node: Any, delta: timedelta) -> Any:
    if isinstance(node, dict):
        return {k: _shift(v, delta) for k, v in node.items()}
    if isinstance(node, list):
        return [_shift(v, delta) for v in node]
    if isinstance(node, str):
        match = _ISO.match(node)
        if match:
            try:
                base = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
                moved = (base + delta).strftime("%Y-%m-%dT%H:%M:%S")
            except (ValueError, OverflowError):  # 0001-01-01 and friends stay as they are
                return node
            return moved + (match.group(2) or "") + (match.group(3) or "")
    return node
