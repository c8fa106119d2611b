"""Recovery options of the data stores and services that are not relational databases: storage accounts,
Cosmos DB, Key Vault, Event Hubs, Synapse dedicated SQL pools, Data Explorer and Microsoft Purview.

Each estimator lists every option the configuration gives (scanner/recovery/model.py picks the best);
figures come from scanner/recovery/figures.py, live data (lastSyncTime) where the scan read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from checks._dr import Copies, declared_partners, unread_in_zone
from checks.cosmosdb._account import (
    CONTINUOUS,
    LOCAL_ONLY_BACKUP,
    MAX_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    backup_interval_minutes,
    backup_policy,
    flag,
    regions,
)
from checks.eventhub._namespace import protection as namespace_protection
from checks.general.standby_region import standby_index
from checks.keyvault._vault import properties_read
from checks.storage._blob_service import blob_service, has_blob_service
from checks.storage._replication import (
    CLOCK_SKEW,
    GEO_REDUNDANT,
    human_duration,
    parse_timestamp,
    replication,
    sku_name,
)
from checks.storage.independent_dr_copy import object_replication_copies
from checks.synapse._types import GEO_BACKUP_POLICY
from scanner.backup import BLOB_DATASOURCES, SourceProtection, protection_of
from scanner.check import EvaluationContext
from scanner.model import Inventory, Resource
from scanner.policy import Policy, format_duration
from scanner.recovery.backups import deletion_backup_options, geo_backup_options
from scanner.recovery.figures import (
    SECOND,
    ZERO,
    Figure,
    measured,
    none,
    row,
    unread,
    within,
)
from scanner.recovery.model import Improvement, NotEstimated, Option, Recovery, not_read, option

# Key Vault does not replicate vaults of these paired regions to their pair (nor of regions without one).
KEY_VAULT_UNREPLICATED_REGIONS = frozenset({"brazilsouth", "brazilsoutheast", "westus3"})


def partner_options(resource: Resource, ctx: EvaluationContext, copies: Copies | None = None) -> list[Option]:
    """Declared DR partners in another region (tag bcdr-partner, the zone's partners): copies you keep."""
    if copies is None:
        copies = Copies()
        declared_partners(resource, ctx.zone, ctx.inventory, copies)
    return [option("partner", label) for label in copies.elsewhere]


# --- storage accounts ------------------------------------------------------------------------------
GEO_STORAGE = Improvement("change the redundancy to GZRS (GRS where the region has no availability zones)",
                          option("storage.geo"))


def storage(account: Resource, ctx: EvaluationContext) -> Recovery:
    backups = protection_of(account, ctx.inventory, BLOB_DATASOURCES)
    regional = [_replication_option(account, ctx), *geo_backup_options(backups, ctx.inventory, "blob"),
                *partner_options(account, ctx)]
    elsewhere, unproven = object_replication_copies(account, ctx.inventory)
    regional += [option("partner", f"{label} (asynchronous, no documented lag)") for label in elsewhere]
    regional += [not_read(f"the region of {label}") for label in unproven]
    return Recovery(tuple(regional), tuple(_blob_deletion_options(account, ctx, backups)), (GEO_STORAGE,))


def _replication_option(account: Resource, ctx: EvaluationContext) -> Option:
    kind = replication(account)
    sku = sku_name(account)
    if kind is None:
        return not_read("sku.name (the replication setting)")
    if kind not in GEO_REDUNDANT:
        return option("storage.local", f"{sku}: every copy in {account.location}", covered_by=("STG-001",))
    secondary = account.prop("secondaryLocation") or "the paired region"
    mechanism = f"{sku} geo-replication to {secondary}, customer-managed (unplanned) failover"
    stats = account.prop("geoReplicationStats")
    if not isinstance(stats, Mapping):
        # Not read with $expand=geoReplicationStats: Microsoft's typical figure stands in, and says so.
        return option("storage.geo", f"{mechanism} (geoReplicationStats not read)", covered_by=("STG-004",))
    status, can_fail_over = stats.get("status"), stats.get("canFailover")
    if (isinstance(status, str) and status.lower() != "live") or can_fail_over is False:
        usable = f"status {status}" + (", canFailover false" if can_fail_over is False else "")
        return option("storage.lag", f"{sku} geo-replication not usable now ({usable})",
                      rpo=none("none: no usable secondary copy now"),
                      rto=none("none: the account cannot fail over now"), covered_by=("STG-004",))
    return option("storage.lag", mechanism, rpo=_lag(stats, ctx), rto=row("storage.geo").rto,
                  sources=(row("storage.geo").url,), covered_by=("STG-004",))


def _lag(stats: Mapping[str, Any], ctx: EvaluationContext) -> Figure:
    raw = stats.get("lastSyncTime")
    last_sync = parse_timestamp(raw)
    if last_sync is None or last_sync - ctx.scan_time > CLOCK_SKEW:
        return unread("a geoReplicationStats.lastSyncTime before the scan time")
    lag = max(ctx.scan_time - last_sync, timedelta(0))
    return measured(lag, f"{human_duration(lag)} behind (lastSyncTime {raw})")


def _blob_deletion_options(account: Resource, ctx: EvaluationContext, backups: SourceProtection) -> list[Option]:
    if not has_blob_service(account):
        return [option("storage.soft_delete", f"{account.kind} account: file shares (not modelled)",
                       rpo=unread("file share protection (not modelled)"))]
    lookup = blob_service(account, ctx.inventory)
    if not lookup.properties_read:
        return [not_read("the blob service properties")]
    props = lookup.properties
    options = [*_blob_policy(props.get("restorePolicy"), "storage.pitr", "blob point-in-time restore"),
               *_blob_policy(props.get("deleteRetentionPolicy"), "storage.soft_delete", "blob soft delete")]
    if props.get("isVersioningEnabled") is True:
        options.append(option("storage.versioning", "blob versioning"))
    options += deletion_backup_options(backups, ctx.inventory, "blob")
    if not options:
        options.append(option("storage.soft_delete", "no blob soft delete, versioning, point-in-time restore or "
                              "backup", rpo=none("none: a deleted or overwritten blob is gone"),
                              rto=row("storage.local").rto, covered_by=("STG-005", "STG-008", "STG-009")))
    return options


def _blob_policy(policy: Any, key: str, name: str) -> list[Option]:
    if not isinstance(policy, Mapping) or policy.get("enabled") is not True:
        return []
    days = policy.get("days")
    kept = f", {days} days" if isinstance(days, int) and not isinstance(days, bool) else ""
    return [option(key, f"{name}{kept}")]


# --- Cosmos DB -------------------------------------------------------------------------------------
_WEAK_CONSISTENCY = frozenset({"session", "consistentprefix", "eventual"})
_BACKUP_STORAGE = {"geo": "Geo", "local": "Local", "zone": "Zone"}


def cosmos(account: Resource, ctx: EvaluationContext) -> Recovery:
    found = regions(account)
    policy = backup_policy(account)
    if found is None:
        missing = not_read("properties.locations")
        return Recovery((missing,), (_cosmos_backup(account, policy) if policy else not_read("backupPolicy"),))
    deletion = _cosmos_backup(account, policy) if policy else not_read("properties.backupPolicy")
    if len(found) > 1:
        return Recovery((_cosmos_replicas(account, found),), (deletion,), _cosmos_improvements(account, True))
    return Recovery((_cosmos_single_region(account, policy, ctx),), (deletion,), _cosmos_improvements(account, False))


def _cosmos_replicas(account: Resource, found: list[Any]) -> Option:
    names = ", ".join(r.name for r in found)
    consistency = account.prop("consistencyPolicy")
    level = consistency.get("defaultConsistencyLevel") if isinstance(consistency, Mapping) else None
    rpo, key = _consistency_rpo(level, consistency if isinstance(consistency, Mapping) else {})
    multi_write, _ = flag(account, "enableMultipleWriteLocations")
    automatic, _ = flag(account, "enableAutomaticFailover")
    rto_key = ("cosmos.multi_region_writes" if multi_write else "cosmos.service_managed_failover" if automatic
               else "cosmos.no_failover")
    how = ("multi-region writes" if multi_write else "service-managed failover" if automatic
           else "no service-managed failover")
    covered = ("COS-002",) if rto_key == "cosmos.no_failover" else ()
    return option(key, f"{len(found)} regions ({names}), {level or 'consistency not read'}, {how}", rpo=rpo,
                  rto=row(rto_key).rto or unread("failover settings"), sources=(row(rto_key).url,), covered_by=covered)


def _consistency_rpo(level: Any, consistency: Mapping[str, Any]) -> tuple[Figure, str]:
    text = level.lower() if isinstance(level, str) else ""
    if text in _WEAK_CONSISTENCY:
        return row("cosmos.multi_region").rpo or unread("consistency"), "cosmos.multi_region"
    if text == "strong":
        return ZERO, "cosmos.strong"
    if text == "boundedstaleness":
        seconds = consistency.get("maxIntervalInSeconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
            return within(seconds * SECOND, f"≤ {format_duration(seconds * SECOND)} (maxIntervalInSeconds)"), \
                "cosmos.bounded_staleness"
        return unread("consistencyPolicy.maxIntervalInSeconds"), "cosmos.bounded_staleness"
    return unread("consistencyPolicy.defaultConsistencyLevel"), "cosmos.multi_region"


# Absent, or outside the range Cosmos DB accepts: a figure the service would refuse is not believed.
INTERVAL_UNREAD = (f"periodicModeProperties.backupIntervalInMinutes (absent, or outside the documented "
                   f"{MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes)")


def _cosmos_single_region(account: Resource, policy: Any, ctx: EvaluationContext) -> Option:
    if policy is None or policy.type is None:
        return not_read("properties.backupPolicy")
    if policy.type == CONTINUOUS:
        return option("cosmos.in_region_backup", f"one region ({account.location}), continuous backup kept in it",
                      covered_by=("COS-001",))
    minutes = backup_interval_minutes(policy)
    if minutes is None or not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
        return not_read(INTERVAL_UNREAD)
    storage = policy.periodic.get("backupStorageRedundancy")
    if policy.assumed_default or storage is None:
        info = ctx.inventory.region(account.location)
        if info is None or info.paired_region is None:
            return not_read("backupStorageRedundancy (the default is geo-redundant only where the region has a pair)")
        storage = "Geo"
    if not isinstance(storage, str) or storage.lower() not in _BACKUP_STORAGE:
        return not_read("periodicModeProperties.backupStorageRedundancy")
    if _BACKUP_STORAGE[storage.lower()] in LOCAL_ONLY_BACKUP:
        return option("cosmos.in_region_backup", f"one region ({account.location}), periodic backups on {storage} "
                      "storage", covered_by=("COS-005", "COS-001"))
    interval = timedelta(minutes=minutes)
    return option("cosmos.periodic", f"one region ({account.location}), periodic backup every "
                  f"{format_duration(interval)} on geo-redundant storage",
                  rpo=within(interval, f"≤ {format_duration(interval)} (the backup interval)"),
                  covered_by=("COS-006", "COS-001"))


def _cosmos_backup(account: Resource, policy: Any) -> Option:
    if policy.type is None:
        return not_read("properties.backupPolicy.type")
    if policy.type == CONTINUOUS:
        return option("cosmos.continuous", f"continuous backup ({policy.continuous_tier or 'tier not reported'})")
    minutes = backup_interval_minutes(policy)
    if minutes is None or not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
        return not_read(INTERVAL_UNREAD)
    interval = timedelta(minutes=minutes)
    kept = policy.periodic.get("backupRetentionIntervalInHours")
    return option("cosmos.periodic", f"periodic backup every {format_duration(interval)}"
                  + (f", kept {kept}h" if isinstance(kept, int) else ""),
                  rpo=within(interval, f"≤ {format_duration(interval)} (the backup interval)"))


def _cosmos_improvements(account: Resource, multi_region: bool) -> tuple[Improvement, ...]:
    failover = Improvement("enable service-managed failover", option(
        "cosmos.multi_region", "second region with service-managed failover",
        rto=row("cosmos.service_managed_failover").rto))
    if multi_region:
        return (failover,)
    hourly = Improvement("shorten the periodic backup interval to 60 minutes (geo-redundant backup storage)",
                         option("cosmos.periodic", rpo=within(timedelta(hours=1), "≤ 1h (the backup interval)")))
    return (hourly, Improvement("add a region in the zone's secondary region with service-managed failover",
                                failover.result))


# --- Key Vault -------------------------------------------------------------------------------------
def key_vault(vault: Resource, ctx: EvaluationContext) -> Recovery:
    return Recovery(tuple(_vault_regional(vault, ctx)), (_vault_deletion(vault),),
                    (Improvement("create a secondary vault in another region and declare it (tag bcdr-partner)",
                                 option("partner", "secondary vault")),))


def _vault_regional(vault: Resource, ctx: EvaluationContext) -> list[Option]:
    info = ctx.inventory.region(vault.location)
    if info is None:
        return [not_read(f"region metadata of {vault.location or 'the vault'} (its paired region)")]
    if info.paired_region and info.name not in KEY_VAULT_UNREPLICATED_REGIONS:
        return [option("keyvault.paired", f"replicated to {info.paired_region}, Microsoft-managed failover "
                       "(read-only until failback)")]
    why = "has no paired region" if not info.paired_region else "is not replicated to its pair"
    return [option("keyvault.unreplicated", f"{info.name} {why}: every copy in the region",
                   covered_by=("KV-003",)), *partner_options(vault, ctx)]


def _vault_deletion(vault: Resource) -> Option:
    if not properties_read(vault):
        return not_read("the vault's properties (enableSoftDelete)")
    enabled = vault.prop("enableSoftDelete")
    if enabled is False:
        return option("keyvault.soft_delete", "soft delete off", rpo=none("none: a deleted item is gone at once"),
                      rto=none("none: nothing to recover"), covered_by=("KV-002",))
    if enabled not in (True, None):
        return not_read("a boolean enableSoftDelete")
    days = vault.prop("softDeleteRetentionInDays")
    return option("keyvault.soft_delete", f"soft delete, {days if isinstance(days, int) else 90} days")


# --- Event Hubs ------------------------------------------------------------------------------------
EVENT_HUBS_REPLICATION = Improvement("geo-replicate the namespace to the zone's secondary region (Premium or "
                                     "Dedicated), synchronous", option("eventhubs.geo_replication", rpo=ZERO))


def event_hubs(namespace: Resource, ctx: EvaluationContext) -> Recovery | NotEstimated:
    found = namespace_protection(namespace, ctx)
    if found.secondary_of:
        return NotEstimated(f"passive secondary of {'; '.join(found.secondary_of)}: judged through its primary")
    regional: list[Option] = [_replication(namespace, region) for region in found.replicated_to]
    regional += [option("eventhubs.geo_dr", f"{label}: configuration only", covered_by=("EVH-002",))
                 for label in found.alias]
    regional += partner_options(namespace, ctx, found.partners)
    if found.gap is not None:
        regional.append(not_read("the namespace's geo-DR aliases"))
    if not regional:
        regional.append(option("eventhubs.none", f"every copy in {namespace.location}", covered_by=("EVH-001",)))
    return Recovery(tuple(regional), (option("eventhubs.no_backup"),), (EVENT_HUBS_REPLICATION,))


def _replication(namespace: Resource, region: str) -> Option:
    lag = namespace.prop("geoDataReplication", "maxReplicationLagDurationInSeconds")
    mechanism = f"geo-replication to {region}, promotion of the secondary"
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
        return option("eventhubs.geo_replication", mechanism, rpo=unread("maxReplicationLagDurationInSeconds"))
    rpo = ZERO if lag == 0 else within(lag * SECOND, f"≤ {format_duration(lag * SECOND)} (maximum replication lag)")
    return option("eventhubs.geo_replication", mechanism, rpo=rpo)


# --- Synapse dedicated SQL pools ---------------------------------------------------------------------
def synapse_pool(pool: Resource, ctx: EvaluationContext) -> Recovery:
    policy = next((p for p in ctx.inventory.children(pool, GEO_BACKUP_POLICY) if p.name.lower() == "default"), None)
    state = policy.prop("state") if policy is not None else None
    if not isinstance(state, str) or state.lower() not in ("enabled", "disabled"):
        regional = not_read("geo-backup policy Default")
    elif state.lower() == "enabled":
        regional = option("synapse.geo_backup", "geo-restore from the daily geo-backup")
    else:
        regional = option("synapse.no_geo_backup", "geo-backup disabled: no copy outside the region",
                          covered_by=("SYN-002",))
    dual = Improvement("ingest into a second pool in another region as well (dual ingestion)",
                       option("partner", "second pool fed in parallel"))
    return Recovery((regional,), (option("synapse.restore_points"),),
                    (Improvement("enable the geo-backup policy", option("synapse.geo_backup")), dual))


# --- Data Explorer and Purview: a second one of the zone in another region is the only DR ------------
def data_explorer(cluster: Resource, ctx: EvaluationContext) -> Recovery:
    return Recovery(tuple(_standby_options(cluster, ctx, "dataexplorer.single_region")),
                    (option("dataexplorer.deletion"),), (_standby_improvement("cluster"),))


def purview(account: Resource, ctx: EvaluationContext) -> Recovery:
    return Recovery(tuple(_standby_options(account, ctx, "purview.single_account")),
                    (option("purview.no_backup"),), (_standby_improvement("account"),))


def _standby_improvement(noun: str) -> Improvement:
    return Improvement(f"deploy a second {noun} in the zone's secondary region and keep it in step",
                       option("standby"))


def _standby_options(resource: Resource, ctx: EvaluationContext, alone: str) -> list[Option]:
    elsewhere = sorted(r for r in _standby_regions(ctx.inventory, ctx.policy).get(
        (resource.type_key, ctx.zone.name), ()) if r and r != resource.location)
    if elsewhere:
        return [option("standby", f"a standby of zone {ctx.zone.name} in {', '.join(elsewhere)}")]
    gap = unread_in_zone(ctx.inventory, ctx.zone, resource.type)
    if gap is not None:
        return [not_read(f"the {resource.type} resources of zone {ctx.zone.name} (a standby may be among them)")]
    return [option(alone, f"every copy in {resource.location}", covered_by=("GEN-002",))]


def _standby_regions(inventory: Inventory, policy: Policy) -> dict[tuple[str, str], set[str | None]]:
    """Regions holding a standby candidate, by (type, zone): GEN-002's index (followers of another region's
    leader excluded), folded once per scan."""
    def build(inv: Inventory) -> tuple[Policy, dict[tuple[str, str], set[str | None]]]:
        regions_by: dict[tuple[str, str], set[str | None]] = defaultdict(set)
        for (type_key, zone, region), ids in standby_index(inv, policy).items():
            if ids:
                regions_by[(type_key, zone)].add(region)
        return policy, regions_by

    return inventory.derived(f"recovery:standby-regions:{id(policy)}", build)[1]
