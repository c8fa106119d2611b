"""Azure Backup in the inventory: which resource is backed up, by which vault, in which tier, for how
long, and whether the answer is unknown because a vault could not be read.

Two vault kinds hold backups of data stores:

- Backup vaults (`Microsoft.DataProtection/backupVaults`) hold *backup instances*, each naming the
  data source it protects (`properties.dataSourceInfo.resourceID`) and the vault's *backup policy*
  it follows. The policy's rules say where recovery points are kept: `OperationalStore` (the
  operational tier: snapshots, or for blobs point-in-time restore, inside the source resource) or
  `VaultStore` (the vault tier: a copy that leaves the source, stored with the vault's redundancy).
  The same instances can be read from the data source's side, at the extension route
  `{resource id}/providers/Microsoft.DataProtection/backupInstances`, which lists them whichever
  vault (subscription, resource group) holds them: the only way to learn of a vault the scanner
  cannot list. Those documents carry the extension id; their vault is named by their policy id.
- Recovery Services vaults (`Microsoft.RecoveryServices/vaults`) hold *protected items* (SQL Server
  and SAP HANA in Azure VMs, Azure Files shares, VMs), each naming its source resource
  (`properties.sourceResourceId`).

Everything is keyed on lower-cased ids: ARM compares ids case-insensitively and a vault in one
subscription may protect a resource in another.

https://learn.microsoft.com/azure/backup/backup-vault-overview
https://learn.microsoft.com/azure/backup/blob-backup-overview
https://learn.microsoft.com/rest/api/dataprotection/backup-instances-extension-routing/list
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model import Inventory, ReadGap, Resource, subscription_of

BACKUP_VAULT = "Microsoft.DataProtection/backupVaults"
BACKUP_INSTANCE = "Microsoft.DataProtection/backupVaults/backupInstances"
BACKUP_POLICY = "Microsoft.DataProtection/backupVaults/backupPolicies"
RS_VAULT = "Microsoft.RecoveryServices/vaults"
RS_PROTECTED_ITEM = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
RS_POLICY = "Microsoft.RecoveryServices/vaults/backupPolicies"
RS_STORAGE_CONFIG = "Microsoft.RecoveryServices/vaults/backupstorageconfig"
RS_VAULT_CONFIG = "Microsoft.RecoveryServices/vaults/backupconfig"
VAULT_TYPES = (BACKUP_VAULT, RS_VAULT)
# What a vault holds beyond its own document: unread, it may hide a backup.
_VAULT_CONTENTS = {BACKUP_VAULT: frozenset({BACKUP_INSTANCE.lower(), BACKUP_POLICY.lower()}),
                   RS_VAULT: frozenset({RS_PROTECTED_ITEM.lower(), RS_POLICY.lower()})}
EXTENSION_ROUTE = "/providers/Microsoft.DataProtection/backupInstances"

OPERATIONAL, VAULT, ARCHIVE = "OperationalStore", "VaultStore", "ArchiveStore"
# The states in which an instance or item keeps taking backups. Backup vaults report
# `protectionStatus.status` (and `currentProtectionState`); Recovery Services items `protectionState`.
_ACTIVE_STATES = frozenset({"protectionconfigured", "protected"})
# Recovery Services items whose recovery points are share snapshots in the source storage account unless
# their policy has a vault tier (`vaultRetentionPolicy`): Azure Files.
# https://learn.microsoft.com/azure/backup/azure-file-share-backup-overview
_SNAPSHOT_TIER_MANAGEMENT = frozenset({"azurestorage"})
# What Azure Backup calls the data sources the checks judge (`dataSourceInfo.datasourceType`).
BLOB_DATASOURCES = ("Microsoft.Storage/storageAccounts/blobServices",
                    "Microsoft.Storage/storageAccounts/adlsBlobServices")
POSTGRESQL_DATASOURCES = ("Microsoft.DBforPostgreSQL/flexibleServers",)
FILE_SHARE_DATASOURCES = ("AzureFileShare",)  # Recovery Services items' workloadType
_ISO_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$", re.IGNORECASE)
_VAULT_IN_ID = re.compile(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.(?:dataprotection/"
                          r"backupvaults|recoveryservices/vaults)/[^/]+)", re.IGNORECASE)


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class Protection:
    """One backup of one data source: the instance (or protected item) and what is known of it."""

    record: Resource  # the backup instance or protected item document
    vault_id: str
    vault: Resource | None  # None: the vault itself was not read (or is outside the scan)
    datasource_type: str
    status: str
    tiers: frozenset[str] | None  # None: the instance's policy was not read
    retention: Mapping[str, str] = field(default_factory=dict)  # tier -> longest retention (ISO 8601)

    @property
    def active(self) -> bool:
        return self.status.lower() in _ACTIVE_STATES

    @property
    def vaulted(self) -> bool | None:
        """True when recovery points leave the source (vault tier); None when the policy is unknown."""
        return None if self.tiers is None else VAULT in self.tiers

    @property
    def vault_name(self) -> str:
        return self.vault_id.rstrip("/").rsplit("/", 1)[-1]

    def describe(self) -> str:
        tier = ("tier unknown (policy not read)" if self.tiers is None
                else "vault tier" if VAULT in self.tiers else "operational tier only")
        kept = f", kept {self.retention[VAULT]}" if VAULT in self.retention else ""
        state = self.status or "state not reported"
        return f"{self.datasource_type} in vault {self.vault_name} ({tier}{kept}; {state})"


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class SourceProtection:
    """What the inventory says about the backups of one data source."""

    protections: tuple[Protection, ...]
    gap: ReadGap | None  # a read gap that may hide a backup of it (None: everything that could was read)

    @property
    def active(self) -> tuple[Protection, ...]:
        return tuple(p for p in self.protections if p.active)

    @property
    def vaulted(self) -> tuple[Protection, ...]:
        return tuple(p for p in self.active if p.vaulted)

    @property
    def undecided(self) -> tuple[Protection, ...]:
        """Active backups whose tier is unknown (their policy was not read)."""
        return tuple(p for p in self.active if p.vaulted is None)


@dataclass
class BackupIndex:
    """Built once per inventory (`Inventory.derived`): every backup by the data source it protects
    and by the vault that holds it."""

    by_source: dict[str, list[Protection]] = field(default_factory=lambda: defaultdict(list))
    by_vault: dict[str, list[Protection]] = field(default_factory=lambda: defaultdict(list))


def backup_index(inventory: Inventory) -> BackupIndex:
    return inventory.derived("backup:index", _build_index)


def backed_up_as(resource: Resource) -> tuple[tuple[str, ...], str]:
    """Which backups protect this data store's data, and the kind of vault that holds them: a PostgreSQL
    flexible server's in a Backup vault, a FileStorage account's file shares (its only data) in a Recovery
    Services vault, any other storage account's blobs in a Backup vault."""
    if resource.type_key == POSTGRESQL_DATASOURCES[0].lower():
        return POSTGRESQL_DATASOURCES, BACKUP_VAULT
    if (resource.kind or "").lower() == "filestorage":
        return FILE_SHARE_DATASOURCES, RS_VAULT
    return BLOB_DATASOURCES, BACKUP_VAULT


def protection_of(resource: Resource, inventory: Inventory, datasource_types: tuple[str, ...] | None = None,
                  vault_type: str = BACKUP_VAULT) -> SourceProtection:
    """Is `resource` backed up, where, in which tier; and could an unread vault (of `vault_type`, the kind
    that backs up this data) hide a backup of it? `datasource_types` keeps the backups of these kinds of
    data only (a storage account's blobs, not its file shares)."""
    found = backup_index(inventory).by_source.get(resource.key, ())
    if datasource_types is not None:
        wanted = {t.lower() for t in datasource_types}
        found = [p for p in found if p.datasource_type.lower() in wanted]
    return SourceProtection(tuple(found), _hiding_gap(resource, inventory, vault_type))


def protections_in(vault: Resource, inventory: Inventory) -> list[Protection]:
    return list(backup_index(inventory).by_vault.get(vault.key, ()))


def vault_contents_gap(vault: Resource, inventory: Inventory) -> ReadGap | None:
    """A read gap that leaves the vault's instances (or protected items) or their policies unknown."""
    kinds = (BACKUP_INSTANCE, BACKUP_POLICY) if vault.type_key == BACKUP_VAULT.lower() else (RS_PROTECTED_ITEM,
                                                                                              RS_POLICY)
    return next((g for kind in kinds if (g := inventory.gap(vault, kind))), None)


def reads_protection_route(account: Mapping[str, Any]) -> bool:
    """Storage accounts whose blobs Azure Backup can protect: standard general-purpose v2 accounts
    without a hierarchical namespace. The collector reads the extension route for these (one GET each).
    https://learn.microsoft.com/azure/backup/blob-backup-support-matrix"""
    sku = account.get("sku")
    name = str(sku.get("name") or "") if isinstance(sku, Mapping) else ""
    props = account.get("properties")
    hns = isinstance(props, Mapping) and props.get("isHnsEnabled") is True
    return str(account.get("kind") or "").lower() == "storagev2" and name.lower().startswith("standard_") and not hns


def vault_of(record_id: str, policy_id: str = "") -> str | None:
    """The vault that holds a backup instance or protected item: from its own id, or (extension-route
    documents, whose id is under the data source) from its policy id."""
    for candidate in (record_id, policy_id):
        match = _VAULT_IN_ID.match(candidate or "")
        if match:
            return match.group(1)
    return None


def period_days(value: object) -> float | None:
    """`P30D`, `P12W`, `P1Y` -> days (a month counted as 30, a year as 365), or None."""
    match = _ISO_PERIOD.match(value) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return years * 365 + months * 30 + weeks * 7 + days


# --- building the index ------------------------------------------------------------------------------
def _build_index(inventory: Inventory) -> BackupIndex:
    index = BackupIndex()
    # Each policy's tiers worked out once: instances are listed twice (under the vault and the data
    # source) and many share a policy.
    policies = {p.key: p for p in inventory.of_type(BACKUP_POLICY)}
    tiers_of: dict[str, tuple[frozenset[str] | None, dict[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for record in inventory.of_type(BACKUP_INSTANCE):
        protection = _from_instance(record, inventory, policies, tiers_of)
        if protection is None:
            continue
        # The same instance is listed under its vault and under its data source: count it once.
        identity = (protection.vault_id.lower(), record.name.lower())
        source = _source_id(record.prop("dataSourceInfo"))
        if identity in seen or not source:
            continue
        seen.add(identity)
        index.by_source[source.lower()].append(protection)
        index.by_vault[protection.vault_id.lower()].append(protection)
    rs_policies = {p.key: p for p in inventory.of_type(RS_POLICY)}
    for item in inventory.of_type(RS_PROTECTED_ITEM):
        protection = _from_protected_item(item, inventory, rs_policies)
        source = item.prop("sourceResourceId")
        if protection is None:
            continue
        if isinstance(source, str) and source:
            index.by_source[source.lower()].append(protection)
        index.by_vault[protection.vault_id.lower()].append(protection)
    return index


def _from_instance(record: Resource, inventory: Inventory, policies: dict[str, Resource],
                   tiers_of: dict[str, tuple[frozenset[str] | None, dict[str, str]]]) -> Protection | None:
    policy_info = record.prop("policyInfo")
    policy_id = str(policy_info.get("policyId") or "") if isinstance(policy_info, Mapping) else ""
    vault_id = vault_of(record.id, policy_id)
    if vault_id is None:
        return None
    source = record.prop("dataSourceInfo")
    datasource_type = str(source.get("datasourceType") or "") if isinstance(source, Mapping) else ""
    policy = policies.get(policy_id.lower())
    if policy is None:
        tiers, retention = None, {}
    else:
        if policy.key not in tiers_of:
            tiers_of[policy.key] = _policy_tiers(policy)
        tiers, retention = tiers_of[policy.key]  # shared between the policy's protections (read-only)
    return Protection(record, vault_id, inventory.get(vault_id), datasource_type, _instance_status(record),
                      tiers, retention)


def _from_protected_item(item: Resource, inventory: Inventory, policies: dict[str, Resource]) -> Protection | None:
    vault_id = vault_of(item.id)
    if vault_id is None:
        return None
    management = str(item.prop("backupManagementType") or "")
    workload = str(item.prop("workloadType") or item.prop("protectedItemType") or management)
    tiers: frozenset[str] | None = frozenset({VAULT})
    if management.lower() in _SNAPSHOT_TIER_MANAGEMENT:
        # Workload (SQL, SAP HANA in VMs) and VM backups are kept in the vault; Azure Files recovery points
        # are share snapshots in the storage account unless the item's policy adds a vault tier.
        policy = policies.get(str(item.prop("policyId") or "").lower())
        tiers = None if policy is None else (
            frozenset({OPERATIONAL, VAULT}) if isinstance(policy.prop("vaultRetentionPolicy"), Mapping)
            else frozenset({OPERATIONAL}))
    state = str(item.prop("protectionState") or "")
    return Protection(item, vault_id, inventory.get(vault_id), workload, state, tiers)


def _instance_status(record: Resource) -> str:
    status = record.prop("protectionStatus")
    value = status.get("status") if isinstance(status, Mapping) else None
    return str(value or record.prop("currentProtectionState") or "")


def _source_id(info: Any) -> str | None:
    if not isinstance(info, Mapping):
        return None
    value = info.get("resourceID") or info.get("resourceUri")
    return value if isinstance(value, str) and value.startswith("/") else None


def _policy_tiers(policy: Resource) -> tuple[frozenset[str] | None, dict[str, str]]:
    """The data stores a Backup vault policy keeps recovery points in, and the longest retention in each."""
    rules = policy.prop("policyRules")
    if not isinstance(rules, list):
        return None, {}
    tiers: set[str] = set()
    retention: dict[str, str] = {}
    for rule in rules:
        if not isinstance(rule, Mapping):
            continue
        store = _store_type(rule.get("dataStore"))
        if store:
            tiers.add(store)
        for lifecycle in _list(rule.get("lifecycles")):
            store = _store_type(lifecycle.get("sourceDataStore"))
            delete_after = lifecycle.get("deleteAfter")
            duration = delete_after.get("duration") if isinstance(delete_after, Mapping) else None
            if not store:
                continue
            tiers.add(store)
            if (period_days(duration) or 0) > (period_days(retention.get(store)) or 0):
                retention[store] = str(duration)
    return (frozenset(tiers) if tiers else None), retention


def _store_type(value: Any) -> str | None:
    store = value.get("dataStoreType") if isinstance(value, Mapping) else None
    for known in (OPERATIONAL, VAULT, ARCHIVE):
        if isinstance(store, str) and store.lower() == known.lower():
            return known
    return None


def _list(value: Any) -> Iterable[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


# --- what a read gap may hide -------------------------------------------------------------------------
def _hiding_gap(resource: Resource, inventory: Inventory, vault_type: str) -> ReadGap | None:
    """A gap that may hide a vault of `vault_type` protecting `resource`. For Backup vaults, None when the
    extension route of the resource was read (it lists the instances of every vault). Otherwise a gap when
    a vault list is missing in any subscription (a vault may protect resources of other subscriptions of
    its tenant), or a vault in the resource's region was not fully read (Azure Backup protects blobs, Azure
    Files and PostgreSQL flexible servers from a vault in their own region)."""
    contents = _VAULT_CONTENTS[vault_type]
    if vault_type == BACKUP_VAULT:
        route_gap = inventory.gap(resource, BACKUP_INSTANCE)
        if route_gap is not None:
            return route_gap
        if _route_was_read(resource, inventory):
            return None
    for gap in inventory.gaps:
        data = gap.data.lower()
        scope = gap.scope.lower().rstrip("/")
        if "/providers/" not in scope and data in ("*", vault_type.lower()):
            return gap
        if data != "*" and data not in contents:
            continue
        vault = inventory.get(gap.scope)
        if vault is not None and vault.type_key == vault_type.lower() and _same_region(vault, resource):
            return gap
    return None


def _route_was_read(resource: Resource, inventory: Inventory) -> bool:
    """A live bcdr-scan collection reads the extension route of these accounts: with no gap recorded for
    it, an empty answer means no Backup vault protects the account."""
    return (inventory.source.get("mode") == "live" and resource.type_key == "microsoft.storage/storageaccounts"
            and reads_protection_route(resource.raw))


def _same_region(vault: Resource, resource: Resource) -> bool:
    return vault.location is None or resource.location is None or vault.location == resource.location


def subscription_vaults(resource: Resource, inventory: Inventory, vault_type: str = BACKUP_VAULT) -> list[Resource]:
    """Vaults of `vault_type` in the resource's subscription and region (where it could be protected from)."""
    placed = inventory.derived("backup:vaults-by-place", _vaults_by_place)
    return list(placed.get((vault_type.lower(), resource.subscription_id, resource.location), ()))


def _vaults_by_place(inventory: Inventory) -> dict[tuple[str, str | None, str | None], list[Resource]]:
    placed: dict[tuple[str, str | None, str | None], list[Resource]] = defaultdict(list)
    for vault_type in VAULT_TYPES:
        for vault in inventory.of_type(vault_type):
            placed[(vault_type.lower(), subscription_of(vault.id), vault.location)].append(vault)
    return placed
