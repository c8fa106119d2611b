"""What a Backup vault or Recovery Services vault document says about where its backups live and how
they survive deletion (shared by the BAK checks).

Backup vaults (`Microsoft.DataProtection/backupVaults`, REST 2026-06-01):
`properties.storageSettings[]` ({datastoreType: VaultStore, type: LocallyRedundant | ZoneRedundant |
GeoRedundant}), `featureSettings.crossRegionRestoreSettings.state` (Enabled | Disabled),
`securitySettings.softDeleteSettings` ({state: Off | On | AlwaysOn, retentionDurationInDays}) and
`securitySettings.immutabilitySettings.state` (Disabled | Unlocked | Locked). Microsoft's own
example payload writes the soft-delete state as "Enabled": every spelling is accepted.

Recovery Services vaults (`Microsoft.RecoveryServices/vaults`, REST 2026-08-01):
`properties.redundancySettings` ({standardTierStorageRedundancy, crossRegionRestore: Enabled |
Disabled}), `securitySettings.softDeleteSettings` ({softDeleteState: Enabled | Disabled | AlwaysON,
softDeleteRetentionPeriodInDays}), `securitySettings.immutabilitySettings.state`. Vaults read through
older api-versions lack these; the backup storage config (`backupstorageconfig/vaultstorageconfig`:
storageModelType / storageType, crossRegionRestoreFlag) and the vault config
(`backupconfig/vaultconfig`: softDeleteFeatureState, softDeleteRetentionPeriodInDays) say the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.backup import (
    BACKUP_VAULT,
    RS_STORAGE_CONFIG,
    RS_VAULT,
    RS_VAULT_CONFIG,
    VAULT,
    Protection,
    protections_in,
    vault_contents_gap,
)
from scanner.check import Check, Result
from scanner.model import Inventory, ReadGap, Resource
from scanner.policy import Policy, Zone

SERVICE = "Azure Backup"
_GEO_SPELLINGS = frozenset({"georedundant", "readaccessgeozoneredundant"})
_SINGLE_REGION = frozenset({"locallyredundant", "zoneredundant"})
_ON = frozenset({"on", "enabled", "alwayson"})
_OFF = frozenset({"off", "disabled"})

GUIDANCE_BACKUP = (
    "Backup and Restore: In this approach, the database application is restored from the last backup copy "
    "before the disaster. This approach is commonly used following data corruption or accidental deletion."
)
REDUNDANCY_DOC = "https://learn.microsoft.com/azure/backup/backup-create-recovery-services-vault#set-storage-redundancy"
BACKUP_VAULT_DOC = "https://learn.microsoft.com/azure/backup/create-manage-backup-vault"
CRR_DOC = "https://learn.microsoft.com/azure/backup/backup-create-recovery-services-vault#set-cross-region-restore"
RELIABILITY_DOC = "https://learn.microsoft.com/azure/reliability/reliability-backup"
SOFT_DELETE_DOC = "https://learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about"
IMMUTABILITY_DOC = "https://learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept"


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class Setting:
    """One vault setting: its value as the vault reports it, and where it was read (or why not)."""

    value: Any
    source: str
    gap: ReadGap | None = None


def is_backup_vault(vault: Resource) -> bool:
    return vault.type_key == BACKUP_VAULT.lower()


def redundancy(vault: Resource, inventory: Inventory) -> Setting:
    """The redundancy of the vault tier: where vaulted recovery points are kept."""
    if is_backup_vault(vault):
        settings = vault.prop("storageSettings")
        stores = [s for s in settings if isinstance(s, Mapping)] if isinstance(settings, list) else []
        vault_store = next((s for s in stores if str(s.get("datastoreType", "")).lower() == VAULT.lower()), None)
        value = vault_store.get("type") if vault_store else None
        return Setting(value if isinstance(value, str) else None, "properties.storageSettings (VaultStore)",
                       inventory.gap(vault, BACKUP_VAULT))
    value = vault.prop("redundancySettings", "standardTierStorageRedundancy")
    if isinstance(value, str) and value.lower() not in ("", "invalid"):
        return Setting(value, "properties.redundancySettings.standardTierStorageRedundancy")
    config, gap = _child(vault, inventory, RS_STORAGE_CONFIG)
    value = (config.prop("storageModelType") or config.prop("storageType")) if config else None
    return Setting(value if isinstance(value, str) and value.lower() != "invalid" else None,
                   "backupstorageconfig/vaultstorageconfig storageModelType", gap)


def is_geo(setting: Setting) -> bool | None:
    if not isinstance(setting.value, str):
        return None
    value = setting.value.lower()
    return True if value in _GEO_SPELLINGS else False if value in _SINGLE_REGION else None


def cross_region_restore(vault: Resource, inventory: Inventory) -> Setting:
    if is_backup_vault(vault):
        value = vault.prop("featureSettings", "crossRegionRestoreSettings", "state")
        # ARM leaves featureSettings out of vaults where it was never set: the default is Disabled.
        if value is None and isinstance(vault.raw.get("properties"), Mapping) and vault.prop("storageSettings"):
            return Setting(False, "featureSettings.crossRegionRestoreSettings (not set: Disabled)")
        return Setting(_on_off(value), "properties.featureSettings.crossRegionRestoreSettings.state")
    value = vault.prop("redundancySettings", "crossRegionRestore")
    if _on_off(value) is not None:
        return Setting(_on_off(value), "properties.redundancySettings.crossRegionRestore")
    config, gap = _child(vault, inventory, RS_STORAGE_CONFIG)
    flag = config.prop("crossRegionRestoreFlag") if config else None
    if config is not None and flag is None:
        flag = False  # the storage config omits the flag where CRR was never turned on
    return Setting(flag if isinstance(flag, bool) else None, "backupstorageconfig crossRegionRestoreFlag", gap)


def soft_delete(vault: Resource, inventory: Inventory) -> tuple[Setting, Setting]:
    """(state: True on / False off / None unknown, retention in days)."""
    settings = vault.prop("securitySettings", "softDeleteSettings")
    if isinstance(settings, Mapping):
        key = "state" if is_backup_vault(vault) else "softDeleteState"
        days_key = "retentionDurationInDays" if is_backup_vault(vault) else "softDeleteRetentionPeriodInDays"
        where = f"properties.securitySettings.softDeleteSettings.{key}"
        return (Setting(_on_off(settings.get(key)), where),
                Setting(_days(settings.get(days_key)), f"properties.securitySettings.softDeleteSettings.{days_key}"))
    if is_backup_vault(vault):
        return (Setting(None, "properties.securitySettings.softDeleteSettings", inventory.gap(vault, BACKUP_VAULT)),
                Setting(None, "retentionDurationInDays"))
    config, gap = _child(vault, inventory, RS_VAULT_CONFIG)
    state = _on_off(config.prop("softDeleteFeatureState")) if config else None
    days = _days(config.prop("softDeleteRetentionPeriodInDays")) if config else None
    if state and days is None and config is not None:
        # Basic soft delete (no retention reported) keeps deleted backups a fixed 14 days.
        # https://learn.microsoft.com/azure/backup/soft-delete-azure-backup-faq
        days = 14
    return (Setting(state, "backupconfig/vaultconfig softDeleteFeatureState", gap),
            Setting(days, "backupconfig/vaultconfig softDeleteRetentionPeriodInDays", gap))


def immutability(vault: Resource) -> str:
    value = vault.prop("securitySettings", "immutabilitySettings", "state")
    return value if isinstance(value, str) else "not reported (Disabled)"


def vaulted_protections(vault: Resource, inventory: Inventory) -> tuple[list[Protection], list[Protection]]:
    """(backups the vault holds in its vault tier, backups whose tier is unknown)."""
    held = protections_in(vault, inventory)
    return [p for p in held if p.vaulted], [p for p in held if p.vaulted is None]


def vault_tier_backups(check: Check, vault: Resource, inventory: Inventory,
                       empty: str) -> Result | tuple[list[Protection], list[Protection]]:
    """(vault-tier backups, backups of unknown tier) the vault holds, or the verdict when it holds none:
    unknown while its contents or their tier were not all read, otherwise not applicable (`empty`)."""
    vaulted, undecided = vaulted_protections(vault, inventory)
    if vaulted:
        return vaulted, undecided
    gap = vault_contents_gap(vault, inventory)
    if gap or undecided:
        return check.unknown(f"the backups {vault.name} holds and the tier of their policies", gap)
    return check.not_applicable(f"{vault.name} {empty}")


def judging_zone(vault: Resource, zone: Zone, held: list[Protection], inventory: Inventory, policy: Policy,
                 wanted: Callable[[Zone], bool]) -> tuple[Zone, str] | None:
    """The first zone that asks for `wanted(zone)`: the vault's own, then those of the data it protects
    (a vault in a lax zone that keeps the backups of a strict one is held to the strict one's rules)."""
    if wanted(zone):
        return zone, f"zone {zone.name} (the vault's own)"
    for protection in held:
        source = inventory.get(_source_of(protection))
        if source is None:
            continue
        other = policy.zone_for(source, inventory)
        if wanted(other):
            return other, f"zone {other.name} of {source.name}, which it backs up"
    return None


def _source_of(protection: Protection) -> str:
    info = protection.record.prop("dataSourceInfo")
    if isinstance(info, Mapping) and isinstance(info.get("resourceID"), str):
        return info["resourceID"]
    return str(protection.record.prop("sourceResourceId") or "")


def _child(vault: Resource, inventory: Inventory, child_type: str) -> tuple[Resource | None, ReadGap | None]:
    children = inventory.children(vault, child_type)
    if children:
        return children[0], None
    return None, inventory.gap(vault, child_type) or inventory.gap(vault, RS_VAULT)


def _on_off(value: Any) -> bool | None:
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    return True if lowered in _ON else False if lowered in _OFF else None


def _days(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)
