"""Azure Database for PostgreSQL and MySQL flexible servers: what their four checks share.

Both services keep backups for a retention window, can copy them to the paired region (geo-redundant
backup), run a standby in another availability zone (zone-redundant high availability) and keep
asynchronous read replicas, in any region, that can be promoted. They differ in the figures and in
what can be changed after creation; each check file states its service's documented figures.

Read replicas are the DR copies: a replica is judged through its source server. A replica is a
flexible server of its own; ARM returns `sourceServerResourceId` on replicas only, so the replicas
of a server are the scanned servers that name it as their source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from checks._dr import Copies, declared_partners, region_zone_evidence, unread_in_zone, zone_support_verdict
from scanner.check import Check, EvaluationContext, Result
from scanner.model import Inventory, Resource
from scanner.policy import Strategy, Zone, format_duration

POSTGRESQL = "Microsoft.DBforPostgreSQL/flexibleServers"
MYSQL = "Microsoft.DBforMySQL/flexibleServers"

# replicationRole / replica.role values of a read replica: PostgreSQL AsyncReplica, GeoAsyncReplica
# (Replica, GeoReplica in earlier API versions); MySQL Replica.
_REPLICA_ROLES = frozenset({"asyncreplica", "geoasyncreplica", "replica", "georeplica"})
# Both services document geo-restore's recovery point as "RPO < 1 h" (business-continuity overviews).
GEO_RESTORE_RPO = timedelta(hours=1)

GUIDANCE_BACKUP = (
    "Backup and Restore: In this approach, the database application is restored from the last backup copy "
    "before the disaster. This approach is commonly used following data corruption or accidental deletion."
)
GUIDANCE_SPARES = (
    "Warm Spare (Active/Passive): A secondary hosted service is created in an alternate region, and roles are "
    "deployed to guarantee minimal capacity; however, the roles don't receive production traffic.\n\n"
    "Hot Spare (Active/Active): The application is designed to receive production load in multiple regions."
)
GUIDANCE_RPO = (
    "Each Data Landing Zone must decide on the Recovery Point Objective for their Data Integration(s) and Data "
    "Products and defined a replication strategy for their use cases."
)
GUIDANCE_HA = (
    "High availability (HA) and disaster recovery (DR) can sometimes be combined, although each has a slightly "
    "different strategy, especially when it comes to data."
)


# --- reading a server document ------------------------------------------------------------------

def replication_role(server: Resource) -> str | None:
    role = server.prop("replicationRole")
    if not isinstance(role, str) or not role:
        role = server.prop("replica", "role")
    return role if isinstance(role, str) and role else None


def is_replica(server: Resource) -> bool:
    return (replication_role(server) or "").lower() in _REPLICA_ROLES


def source_of(server: Resource) -> str:
    source = server.prop("sourceServerResourceId")
    return source if isinstance(source, str) else ""


def tier(server: Resource) -> str | None:
    value = (server.sku or {}).get("tier")
    return value if isinstance(value, str) and value else None


def is_burstable(server: Resource) -> bool:
    return (tier(server) or "").lower() == "burstable"


def ha_mode(server: Resource) -> str | None:
    mode = server.prop("highAvailability", "mode")
    return mode if isinstance(mode, str) and mode else None


# Geo-redundant backup is off unless it was chosen when the server was created (both services document it as an
# option of server creation, Disabled otherwise); ARM states it in properties.backup.geoRedundantBackup.
# https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore
# https://learn.microsoft.com/azure/mysql/flexible-server/concepts-backup-restore
GEO_BACKUP_DEFAULT = "Disabled"


def geo_redundant_backup(server: Resource) -> bool | None:
    """Whether backups are copied to the paired region; None when it cannot be told. A backup block that was
    read but states no geoRedundantBackup (exports of other tools leave it out) has Azure's default, Disabled."""
    value = server.prop("backup", "geoRedundantBackup")
    if value is None and geo_backup_assumed(server):
        value = GEO_BACKUP_DEFAULT
    if not isinstance(value, str):
        return None
    return {"enabled": True, "disabled": False}.get(value.lower())


def geo_backup_assumed(server: Resource) -> bool:
    """The server's backup settings were read, without geoRedundantBackup: its documented default stands in."""
    backup = server.prop("backup")
    return isinstance(backup, Mapping) and bool(backup) and "geoRedundantBackup" not in backup


def retention_days(server: Resource) -> int | None:
    days = server.prop("backup", "backupRetentionDays")
    return days if isinstance(days, int) and not isinstance(days, bool) else None


# --- copies in another region --------------------------------------------------------------------

def replicas_of(inventory: Inventory, server: Resource) -> list[Resource]:
    by_source = inventory.derived(f"flexible-server-replicas:{server.type_key}",
                                  lambda inv: _by_source(inv, server.type))
    return by_source.get(server.key, [])


def _by_source(inventory: Inventory, server_type: str) -> dict[str, list[Resource]]:
    """Replicas by the id of their source server, built once per scan (not once per server)."""
    index: dict[str, list[Resource]] = defaultdict(list)
    for other in inventory.of_type(server_type):
        if is_replica(other) and source_of(other):
            index[source_of(other).lower()].append(other)
    return index


def copies_elsewhere(server: Resource, ctx: EvaluationContext) -> Copies:
    """Read replicas (and declared partners) of the server, sorted by region."""
    copies = Copies()
    for replica in replicas_of(ctx.inventory, server):
        label = f"read replica {replica.name}"
        if replica.location and server.location and replica.location != server.location:
            copies.elsewhere.append(f"{label} in {replica.location}")
        else:
            copies.same_region.append(f"{label} in the same region {server.location}")
    declared_partners(server, ctx.zone, ctx.inventory, copies)
    if not copies.elsewhere:
        copies.gap = unread_in_zone(ctx.inventory, ctx.zone, server.type)
    return copies


# --- base checks ---------------------------------------------------------------------------------

class FlexibleServerCheck(Check):
    """Base of the PG and MY checks; `engine` names the service in messages."""

    engine: ClassVar[str]
    # The replicationRole a server has while it has read replicas, where the service says so (MySQL:
    # Source; PostgreSQL reports Primary whether or not it has any).
    source_role: ClassVar[str | None] = None

    def replica_verdict(self, server: Resource) -> Result | None:
        if not is_replica(server):
            return None
        source = source_of(server).rsplit("/", 1)[-1] or "its source server"
        return self.not_applicable(f"read replica ({replication_role(server)}) of {source}: replicas are the DR "
                                   "copies, the source server is judged")

    def unread_copies(self, copies: Copies, server: Resource) -> Result | None:
        """Unknown rather than fail when a replica may exist outside what was read."""
        role = replication_role(server)
        if self.source_role and role:
            if role.lower() != self.source_role.lower():
                return None  # the service says the server has no replicas: nothing unread can hide one
            if not copies.same_region:  # it has some, and none was scanned
                return self.unknown(f"the read replicas of {server.name} (replicationRole {role}: it has some, "
                                    "none in the scanned inventory, so their region is not known)")
        if copies.gap is not None:
            return self.unknown(f"{self.engine} flexible servers of the zone (a read replica of {server.name} "
                                "may be among them)", copies.gap)
        return None


class GeoCopyCheck(FlexibleServerCheck):
    """PG-001 / MY-001: backups or a replica outside the server's region where geo-redundancy is required."""

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        if replica := self.replica_verdict(resource):
            return replica
        geo = geo_redundant_backup(resource)
        if geo:
            return self.passed("backups are geo-redundant (copied to the paired region)",
                               observed="geoRedundantBackup: Enabled")
        copies = copies_elsewhere(resource, ctx)
        if copies.elsewhere:
            return self.passed(f"a copy in another region: {'; '.join(copies.elsewhere)}", observed=copies.elsewhere)
        if geo is None:
            return self.unknown("properties.backup.geoRedundantBackup")
        if hidden := self.unread_copies(copies, resource):
            return hidden
        note, evidence = self.remedy(resource, ctx.inventory)
        if geo_backup_assumed(resource):
            evidence["assumed_default"] = f"geoRedundantBackup not stated: Azure's default, {GEO_BACKUP_DEFAULT}"
        return self.failed(
            f"{self.engine} server {resource.name} keeps its backups in {resource.location} only and has no read "
            f"replica in another region; zone {zone.name} ({zone.strategy}) requires a copy outside the region. "
            f"{note}",
            observed="geoRedundantBackup: Disabled; " + ("; ".join(copies.same_region) or "no read replica"),
            required="geo-redundant backup, or a read replica in another region",
            requirement=zone.requirement("geo_redundancy"),
            **evidence,
        )

    def remedy(self, server: Resource, inventory: Inventory) -> tuple[str, dict[str, Any]]:
        """What can be done for this server (the services differ), and the evidence for it."""
        raise NotImplementedError


class ZoneRedundantHaCheck(FlexibleServerCheck):
    """PG-002 / MY-002: a standby in another availability zone where zone redundancy is required."""

    burstable_reason: ClassVar[str]

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        if replica := self.replica_verdict(resource):
            return replica
        if is_burstable(resource):
            return self.not_applicable(self.burstable_reason)
        mode = ha_mode(resource)
        if mode is None:
            return self.unknown("properties.highAvailability.mode")
        state = resource.prop("highAvailability", "state")
        if mode.lower() == "zoneredundant":
            return self.passed("zone-redundant high availability: a standby in another availability zone",
                               observed=f"highAvailability.mode: {mode}", state=state)
        if verdict := zone_support_verdict(self, ctx.inventory, resource.location, "zone-redundant high availability"):
            return verdict
        return self.failed(
            f"{self.engine} server {resource.name} has no standby in another availability zone "
            f"(high availability {mode}); zone {zone.name} ({zone.strategy}) requires zone redundancy. "
            f"{self.how_to_enable(resource)}",
            observed=f"highAvailability.mode: {mode}",
            required="highAvailability.mode: ZoneRedundant",
            requirement=zone.requirement("zone_redundancy"),
            service_tier=tier(resource), state=state, **region_zone_evidence(ctx.inventory, resource.location),
        )

    def how_to_enable(self, server: Resource) -> str:
        raise NotImplementedError


class BackupRetentionCheck(FlexibleServerCheck):
    """PG-003 / MY-003: the point-in-time restore window against the zone's min_pitr_days."""

    # The policy bounds min_pitr_days by 35, both engines' documented maximum (scanner/retention_ranges.py).
    judges_replicas: ClassVar[bool]

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        minimum = zone.requirements.days("min_pitr_days")
        if minimum <= 0:
            return self.not_applicable(f"zone {zone.name} sets no minimum point-in-time retention (min_pitr_days=0)")
        if not self.judges_replicas and (replica := self.replica_verdict(resource)):
            return replica
        days = retention_days(resource)
        if days is None:
            return self.unknown("properties.backup.backupRetentionDays")
        if days >= minimum:
            return self.passed(f"point-in-time restore covers {days} days (at least {minimum})", observed=days)
        return self.failed(
            f"{self.engine} server {resource.name} can be restored only {days} days back; zone {zone.name} "
            f"requires at least {minimum} days of point-in-time restore",
            observed=f"backupRetentionDays: {days}",
            required=f">= {minimum} days",
            requirement=zone.requirement("min_pitr_days"),
        )


class CrossRegionReplicaCheck(FlexibleServerCheck):
    """PG-004 / MY-004: a read replica in another region where the zone cannot wait for geo-restore."""

    burstable_reason: ClassVar[str]

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        reason = replica_needed(zone)
        if reason is None:
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}, RPO {format_duration(zone.rpo)}) can "
                                       "recover by geo-restore")
        if replica := self.replica_verdict(resource):
            return replica
        if is_burstable(resource):
            return self.not_applicable(self.burstable_reason)
        copies = copies_elsewhere(resource, ctx)
        if copies.elsewhere:
            return self.passed(f"a read replica in another region: {'; '.join(copies.elsewhere)}",
                               observed=copies.elsewhere)
        if hidden := self.unread_copies(copies, resource):
            return hidden
        return self.failed(
            f"{self.engine} server {resource.name} has no read replica in another region: {reason}",
            observed="; ".join(copies.same_region) or "no read replica in another region",
            required="a read replica in another region" + (f" ({zone.secondary_region})" if zone.secondary_region
                                                            else ""),
            requirement=f"a copy that geo-restore cannot replace ({zone.strategy}, RPO {format_duration(zone.rpo)})",
            geo_restore="RPO < 1 h, RTO varies (Microsoft's figures)",
        )


def replica_needed(zone: Zone) -> str | None:
    """Why the zone needs a promotable copy in another region, or None when geo-restore is enough.

    Geo-restore restores the last backup that reached the paired region: Microsoft documents its RPO as
    under one hour and its RTO as "varies" (minutes to hours), so only the RPO gives a figure to compare.
    """
    if not zone.strategy.at_least(Strategy.BACKUP_RESTORE) or not zone.requirements.required("geo_redundancy"):
        return None
    if zone.strategy == Strategy.HOT_SPARE:
        return (f"zone {zone.name} is hot-spare and recovers by promoting a live copy in another region, not by "
                "restoring backups")
    if zone.rpo < GEO_RESTORE_RPO:
        return (f"zone {zone.name}'s RPO ({format_duration(zone.rpo)}) is shorter than geo-restore's (under 1 hour), "
                "so only a replica can meet it")
    return None


def storage_redundancy(server: Resource) -> str | None:
    value = server.prop("storage", "storageRedundancy")
    return value if isinstance(value, str) and value else None
