"""What the SQL Managed Instance checks share: instance failover groups, roles, documentation.

Instance failover groups are not children of an instance: ARM keeps them under
`resourceGroups/<g>/providers/Microsoft.Sql/locations/<region>/instanceFailoverGroups`, each naming
its pair of instances (`managedInstancePairs`: the instance of the group's own region and its
partner) and the partner region with its role. A group is listed in the region of each instance, so
an instance's role comes from whichever side was read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from checks._dr import unread_in_zone
from scanner.check import Check, EvaluationContext, Result
from scanner.model import Inventory, ReadGap, Resource
from scanner.regions import normalize_region

MANAGED_INSTANCE = "Microsoft.Sql/managedInstances"
MANAGED_DATABASE = "Microsoft.Sql/managedInstances/databases"
INSTANCE_FAILOVER_GROUP = "Microsoft.Sql/locations/instanceFailoverGroups"
SHORT_TERM_RETENTION = "Microsoft.Sql/managedInstances/databases/backupShortTermRetentionPolicies"
LONG_TERM_RETENTION = "Microsoft.Sql/managedInstances/databases/backupLongTermRetentionPolicies"
SERVICE = "SQL Managed Instance"

# Failover groups replicate every user database of the instance to an instance in another region:
# https://learn.microsoft.com/azure/azure-sql/managed-instance/failover-group-sql-mi
FAILOVER_GROUP_DOC = "https://learn.microsoft.com/azure/azure-sql/managed-instance/failover-group-sql-mi"
# Backup storage redundancy (Local, Zone, Geo, GeoZone); geo-restore needs Geo or GeoZone:
BACKUP_DOC = "https://learn.microsoft.com/azure/azure-sql/managed-instance/automated-backups-overview"
# Zone redundancy: Business Critical GA, General Purpose preview, not for Next-gen General Purpose;
# requires Zone or GeoZone backup storage redundancy; only in regions with availability zones.
RELIABILITY_DOC = "https://learn.microsoft.com/azure/reliability/reliability-sql-managed-instance"
ZONE_DOC = "https://learn.microsoft.com/azure/azure-sql/managed-instance/instance-zone-redundancy-configure"
# Short-term retention 1 to 35 days (default 7); long-term retention up to 10 years:
LTR_DOC = "https://learn.microsoft.com/azure/azure-sql/managed-instance/long-term-backup-retention-configure"


class ManagedInstanceCheck(Check):
    service: ClassVar[str] = SERVICE
    resource_type: ClassVar[str] = MANAGED_INSTANCE

    def secondary_verdict(self, groups: GroupRoles) -> Result | None:
        if groups.secondary_of:
            return self.not_applicable(f"geo-secondary of {', '.join(groups.secondary_of)} in a failover group: "
                                       "the secondary is the DR copy, its primary is judged")
        return None


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class GroupRoles:
    """How an instance takes part in instance failover groups."""

    copies: tuple[str, ...]  # groups in which it is the primary, with a partner in another region
    same_region: tuple[str, ...]  # groups whose partner sits in its own region
    undecided: tuple[str, ...]  # groups whose partner's region is recorded nowhere
    secondary_of: tuple[str, ...]  # primaries of the groups in which it is the geo-secondary
    gap: ReadGap | None


def group_roles(ctx: EvaluationContext, instance: Resource) -> GroupRoles:
    copies: list[str] = []
    same: list[str] = []
    undecided: list[str] = []
    secondary_of: list[str] = []
    index = ctx.inventory.derived("sqlmi:groups-by-instance", _groups_by_instance)
    for group in index.get(instance.key, ()):
        for pair in _pairs(group):
            role, other, other_region = _side(group, pair, instance, ctx.inventory)
            if role is None:
                continue
            if role == "secondary":
                secondary_of.append(_name(other))
            elif not other_region or not instance.location:
                undecided.append(f"failover group {group.name} with {_name(other)}")
            elif other_region != instance.location:
                copies.append(f"failover group {group.name} with {_name(other)} in {other_region}")
            else:
                same.append(f"failover group {group.name} with {_name(other)} in {other_region}")
    gap = None if copies else unread_in_zone(ctx.inventory, ctx.zone, INSTANCE_FAILOVER_GROUP)
    # A group is listed in the region of each of its instances: both sides may say the same.
    return GroupRoles(*(tuple(dict.fromkeys(found)) for found in (copies, same, undecided, secondary_of)), gap)


def groups_of(inventory: Inventory, instance: Resource) -> list[Resource]:
    """The instance failover groups that pair this instance (either side)."""
    return list(inventory.derived("sqlmi:groups-by-instance", _groups_by_instance).get(instance.key, ()))


def _groups_by_instance(inventory: Inventory) -> dict[str, list[Resource]]:
    """Failover groups by the ids of the instances they pair, built once per scan."""
    index: dict[str, list[Resource]] = defaultdict(list)
    for group in inventory.of_type(INSTANCE_FAILOVER_GROUP):
        for pair in _pairs(group):
            for key in ("primaryManagedInstanceId", "partnerManagedInstanceId"):
                if isinstance(pair.get(key), str) and pair[key]:
                    index[pair[key].lower()].append(group)
    return {k: list(dict.fromkeys(v)) for k, v in index.items()}


def _pairs(group: Resource) -> list[Mapping[str, Any]]:
    pairs = group.prop("managedInstancePairs", default=[])
    return [p for p in pairs if isinstance(p, Mapping)] if isinstance(pairs, list) else []


def _side(group: Resource, pair: Mapping[str, Any], instance: Resource,
          inventory: Inventory) -> tuple[str | None, str, str | None]:
    """(the instance's role in the group, the other instance's id, the other instance's region).

    `primaryManagedInstanceId` is the instance of the region the group was read in, whose role is the
    group's `replicationRole`; the partner has the role and region of `partnerRegions`.
    """
    local = str(pair.get("primaryManagedInstanceId") or "")
    partner = str(pair.get("partnerManagedInstanceId") or "")
    local_role = str(group.prop("replicationRole") or "Primary").lower()
    partner_region, partner_role = _partner_region(group)
    if local.lower() == instance.key:
        other_region = _region_of(inventory, partner) or partner_region
        return local_role, partner, other_region
    if partner.lower() == instance.key:
        role = partner_role or ("secondary" if local_role == "primary" else "primary")
        return role, local, _region_of(inventory, local) or _group_region(group)
    return None, "", None


def _partner_region(group: Resource) -> tuple[str | None, str | None]:
    regions = group.prop("partnerRegions", default=[])
    first = regions[0] if isinstance(regions, list) and regions and isinstance(regions[0], Mapping) else {}
    role = first.get("replicationRole")
    return normalize_region(first.get("location")), role.lower() if isinstance(role, str) else None


def _group_region(group: Resource) -> str | None:
    """The region in the group's id (`.../locations/<region>/instanceFailoverGroups/<name>`)."""
    parts = group.id.split("/")
    lowered = [p.lower() for p in parts]
    return normalize_region(parts[lowered.index("locations") + 1]) if "locations" in lowered[:-1] else None


def _region_of(inventory: Inventory, resource_id: str) -> str | None:
    found = inventory.get(resource_id) if resource_id else None
    return found.location if found is not None else None


def _name(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1] or "an unnamed instance"
