"""What a Cosmos DB account document says about its regions, failover and backups (shared by the COS checks).

The account's replication settings live in its own ARM document (no child resources are needed),
so the only way data can be missing is a document read without `properties` (e.g. from the generic
resources list) or an unexpected shape: both leave the checks unknown, never passing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model import Inventory, ReadGap, Resource
from scanner.regions import normalize_region

DATABASE_ACCOUNT = "Microsoft.DocumentDB/databaseAccounts"
PERIODIC, CONTINUOUS = "Periodic", "Continuous"
LOCAL_ONLY_BACKUP = frozenset({"Local", "Zone"})  # backup storage that stays in the primary region


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class AccountRegion:
    """One region of `properties.locations`."""

    name: str  # normalised (`northeurope`)
    location_name: str  # as ARM returned it (`North Europe`)
    failover_priority: int | None
    zone_redundant: bool | None  # None: ARM did not report `isZoneRedundant`


def regions(account: Resource) -> list[AccountRegion] | None:
    """The account's distinct regions in failover-priority order; None when `locations` is missing or malformed.

    ARM always returns at least the write region, so an empty or absent list means the document
    was not fully read.
    """
    entries = account.prop("locations")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, Mapping) for e in entries):
        return None
    found: dict[str, AccountRegion] = {}
    for entry in sorted(entries, key=_priority_order):
        name = normalize_region(entry.get("locationName"))
        if name is None:
            return None
        zone_redundant = entry.get("isZoneRedundant")
        found.setdefault(name, AccountRegion(
            name=name,
            location_name=str(entry.get("locationName")),
            failover_priority=entry.get("failoverPriority") if isinstance(entry.get("failoverPriority"), int) else None,
            zone_redundant=zone_redundant if isinstance(zone_redundant, bool) else None,
        ))
    return list(found.values())


def _priority_order(entry: Mapping[str, Any]) -> tuple[int, int]:
    priority = entry.get("failoverPriority")
    return (0, priority) if isinstance(priority, int) and not isinstance(priority, bool) else (1, 0)


def region_names(found: list[AccountRegion]) -> list[str]:
    return [r.name for r in found]


def flag(account: Resource, name: str) -> tuple[bool, bool | str]:
    """A boolean account setting and how to report it.

    `enableAutomaticFailover` and `enableMultipleWriteLocations` default to false and real GET
    responses carry them; some documents (Microsoft's own REST examples among them) omit them.
    An omitted flag is read as its documented default, false, and the evidence says so.
    """
    value = account.prop(name)
    if isinstance(value, bool):
        return value, value
    return False, f"not reported ({name} defaults to false)"


# Azure's default for an account whose document states no backup policy (API versions before continuous
# backup do not return one): periodic mode, a full backup every 4 hours with the latest two kept (8 hours),
# on geo-redundant storage where the region has a pair ("otherwise the account falls back to the highest
# redundancy option available"); the interval Azure accepts is 1 to 24 hours.
# https://learn.microsoft.com/azure/cosmos-db/periodic-backup-modify-interval-retention
# https://learn.microsoft.com/azure/cosmos-db/periodic-backup-storage-redundancy
DEFAULT_BACKUP_DOC = "https://learn.microsoft.com/azure/cosmos-db/periodic-backup-modify-interval-retention"
DEFAULT_INTERVAL_MINUTES = 240
DEFAULT_RETENTION_HOURS = 8
MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES = 60, 24 * 60
ASSUMED_DEFAULT = (
    "the account document has no backupPolicy: Azure's documented default is assumed (periodic, every 240 "
    "minutes, 8 hours retention, geo-redundant backup storage where the region has a pair)"
)


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class BackupPolicy:
    type: str | None  # Periodic, Continuous, or None when absent/unrecognised
    raw: Mapping[str, Any]
    assumed_default: bool = False  # the document stated no policy; Azure's documented default stands in

    @property
    def periodic(self) -> Mapping[str, Any]:
        props = self.raw.get("periodicModeProperties")
        return props if isinstance(props, Mapping) else {}

    @property
    def continuous_tier(self) -> str | None:
        props = self.raw.get("continuousModeProperties")
        tier = props.get("tier") if isinstance(props, Mapping) else None
        return tier if isinstance(tier, str) else None


def backup_policy(account: Resource) -> BackupPolicy | None:
    """The account's `backupPolicy`, or Azure's default when a full account document states none; None when
    it is malformed, or missing from a truncated document (one read without its properties)."""
    policy = account.prop("backupPolicy")
    if policy is None:
        if not is_full_account_document(account):
            return None
        default = {"type": PERIODIC, "periodicModeProperties": {
            "backupIntervalInMinutes": DEFAULT_INTERVAL_MINUTES,
            "backupRetentionIntervalInHours": DEFAULT_RETENTION_HOURS}}
        return BackupPolicy(PERIODIC, default, assumed_default=True)
    if not isinstance(policy, Mapping):
        return None
    kind = policy.get("type")
    known = {PERIODIC.lower(): PERIODIC, CONTINUOUS.lower(): CONTINUOUS}
    return BackupPolicy(known.get(kind.lower()) if isinstance(kind, str) else None, policy)


def is_full_account_document(account: Resource) -> bool:
    """A GET (or list) document with the account's properties, not one from the generic resources list:
    only then does a missing backupPolicy mean "none was set"."""
    offer = account.prop("databaseAccountOfferType")
    locations = account.prop("locations")
    return (isinstance(offer, str) and bool(offer)) or (isinstance(locations, list) and bool(locations))


def backup_interval_minutes(policy: BackupPolicy) -> int | None:
    """`periodicModeProperties.backupIntervalInMinutes` as a whole number of minutes (240 or 240.0), or None
    when it is absent or not a number; range checks are the caller's (see MIN/MAX_INTERVAL_MINUTES)."""
    minutes = policy.periodic.get("backupIntervalInMinutes")
    if isinstance(minutes, float) and minutes.is_integer():
        return int(minutes)
    return minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else None


def read_gap(account: Resource, inventory: Inventory) -> ReadGap | None:
    """The collector's record of why the account document is incomplete, if it kept one."""
    return inventory.gap(account, DATABASE_ACCOUNT)


# The guidance's Cosmos DB section is one sentence pointing at the service's HA documentation;
# each check pairs it with the strategy text that makes the requirement concrete.
GUIDANCE_SECTION = (
    "Azure Cosmos DB: For an overview of High Availability with Azure Cosmos DB, see How does Azure "
    "Cosmos DB provide high availability."
)
WARM_SPARE = (
    "Warm Spare (Active/Passive): A secondary hosted service is created in an alternate region, and roles "
    "are deployed to guarantee minimal capacity; however, the roles don't receive production traffic."
)
HOT_SPARE = (
    "Hot Spare (Active/Active): The application is designed to receive production load in multiple regions. "
    "[...] These include low and guaranteed recovery time, continuous testing of all recovery locations, and "
    "efficient usage of capacity."
)
BACKUP_RESTORE = (
    "Backup and Restore: In this approach, the database application is restored from the last backup copy "
    "before the disaster."
)
HIGH_AVAILABILITY_DOC = "https://learn.microsoft.com/azure/cosmos-db/high-availability"
RELIABILITY_DOC = "https://learn.microsoft.com/azure/reliability/reliability-cosmos-db-nosql"
