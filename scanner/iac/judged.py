"""Which property of a declaration each check judges, so an alert lands on the line to change.

ARM paths serve Bicep and ARM JSON (`sku.name`, `properties.enablePurgeProtection`); a path of a
child resource names it first (`blobServices/default:properties.deleteRetentionPolicy`: the
`blobServices` child named `default`). Terraform paths are attributes and nested blocks of the
azurerm resource (`blob_properties.delete_retention_policy`). Paths are tried in order. A check
that judges no single property (a missing replica, a missing lock) has none: its alert lands on
the declaration's first line. A check outside this table (a plug-in) may set `iac_paths` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.check import Check


@dataclass(frozen=True)
class IacPaths:
    arm: tuple[str, ...] = ()
    terraform: tuple[str, ...] = ()


_BLOB = "blobServices/default:"
_SHORT_TERM = "backupShortTermRetentionPolicies/default:"
_LONG_TERM = "backupLongTermRetentionPolicies/default:"

BUILT_IN: dict[str, IacPaths] = {
    "STG-001": IacPaths(("sku.name",), ("account_replication_type",)),
    "STG-002": IacPaths(("sku.name",), ("account_replication_type",)),
    "STG-003": IacPaths(("sku.name",), ("account_replication_type",)),
    "STG-005": IacPaths((_BLOB + "properties.deleteRetentionPolicy",),
                        ("blob_properties.delete_retention_policy", "blob_properties")),
    "STG-006": IacPaths((_BLOB + "properties.containerDeleteRetentionPolicy",),
                        ("blob_properties.container_delete_retention_policy", "blob_properties")),
    "STG-008": IacPaths((_BLOB + "properties.isVersioningEnabled",),
                        ("blob_properties.versioning_enabled", "blob_properties")),
    "STG-009": IacPaths((_BLOB + "properties.restorePolicy",), ("blob_properties.restore_policy", "blob_properties")),
    "COS-001": IacPaths(("properties.locations",), ("geo_location",)),
    "COS-002": IacPaths(("properties.enableAutomaticFailover",),
                        ("automatic_failover_enabled", "enable_automatic_failover")),
    "COS-003": IacPaths(("properties.enableMultipleWriteLocations",),
                        ("multiple_write_locations_enabled", "enable_multiple_write_locations")),
    "COS-004": IacPaths(("properties.locations",), ("geo_location",)),
    "COS-005": IacPaths(("properties.backupPolicy.periodicModeProperties.backupStorageRedundancy",
                         "properties.backupPolicy"), ("backup.storage_redundancy", "backup")),
    "COS-006": IacPaths(("properties.backupPolicy",), ("backup",)),
    "SQL-003": IacPaths(("properties.requestedBackupStorageRedundancy",), ("storage_account_type",)),
    "SQL-004": IacPaths(("properties.zoneRedundant",), ("zone_redundant",)),
    "SQL-006": IacPaths((_SHORT_TERM + "properties.retentionDays",), ("short_term_retention_policy",)),
    "SQL-007": IacPaths((_LONG_TERM + "properties",), ("long_term_retention_policy",)),
    "SQLMI-002": IacPaths(("properties.requestedBackupStorageRedundancy",), ("storage_account_type",)),
    "SQLMI-003": IacPaths(("properties.zoneRedundant",), ("zone_redundant_enabled",)),
    "SQLMI-004": IacPaths((_SHORT_TERM + "properties.retentionDays",), ("short_term_retention_days",)),
    "SQLMI-005": IacPaths((_LONG_TERM + "properties",), ("long_term_retention_policy",)),
    "KV-001": IacPaths(("properties.enablePurgeProtection",), ("purge_protection_enabled",)),
    "KV-002": IacPaths(("properties.softDeleteRetentionInDays", "properties.enableSoftDelete"),
                       ("soft_delete_retention_days",)),
    "KV-003": IacPaths(("location",), ("location",)),
    "PG-001": IacPaths(("properties.backup.geoRedundantBackup",), ("geo_redundant_backup_enabled",)),
    "PG-002": IacPaths(("properties.highAvailability",), ("high_availability",)),
    "PG-003": IacPaths(("properties.backup.backupRetentionDays",), ("backup_retention_days",)),
    "MY-001": IacPaths(("properties.backup.geoRedundantBackup",), ("geo_redundant_backup_enabled",)),
    "MY-002": IacPaths(("properties.highAvailability",), ("high_availability",)),
    "MY-003": IacPaths(("properties.backup.backupRetentionDays",), ("backup_retention_days",)),
    "EVH-001": IacPaths(("properties.geoDataReplication",)),
    "EVH-002": IacPaths(("properties.geoDataReplication",)),
    "EVH-003": IacPaths(("properties.clusterArmId", "location"), ("dedicated_cluster_id", "location")),
    "ADX-001": IacPaths(("zones",), ("zones",)),
    "ADF-001": IacPaths(("properties.repoConfiguration",), ("github_configuration", "vsts_configuration")),
    "SYN-001": IacPaths(("properties.workspaceRepositoryConfiguration",), ("github_repo", "azure_devops_repo")),
    "SYN-002": IacPaths(("geoBackupPolicies/Default:properties.state",), ("geo_backup_policy_enabled",)),
    "DBW-001": IacPaths(("properties.parameters.storageAccountSkuName",),
                        ("custom_parameters.storage_account_sku_name", "custom_parameters")),
    "BAK-001": IacPaths(("properties.storageSettings", "properties.redundancySettings.standardTierStorageRedundancy",
                         "properties.redundancySettings"), ("redundancy", "storage_mode_type", "datastore_type")),
    "BAK-002": IacPaths(("properties.featureSettings.crossRegionRestoreSettings",
                         "properties.redundancySettings.crossRegionRestore"), ("cross_region_restore_enabled",)),
    "BAK-003": IacPaths(("properties.securitySettings.softDeleteSettings", "properties.securitySettings"),
                        ("soft_delete", "soft_delete_enabled", "retention_duration_in_days")),
    "GEN-002": IacPaths(("location",), ("location",)),
    "GEN-003": IacPaths(("tags",), ("tags",)),
}


def paths_for(check: Check) -> IacPaths:
    own = getattr(check, "iac_paths", None)
    return own if isinstance(own, IacPaths) else BUILT_IN.get(check.id, IacPaths())


def split_path(path: str) -> tuple[str | None, tuple[str, ...]]:
    """`blobServices/default:properties.x` -> ("blobServices/default", ("properties", "x"))."""
    child, _, rest = path.rpartition(":")
    return (child or None), tuple(p for p in rest.split(".") if p)
