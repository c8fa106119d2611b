"""Azure Backup documents for the BAK tests, built from Microsoft's REST API example bodies."""

from __future__ import annotations

import copy
from typing import Any

from tests.helpers import SUB, arm_id, example_body, override

BACKUP_VAULT = "Microsoft.DataProtection/backupVaults"
RS_VAULT = "Microsoft.RecoveryServices/vaults"
BLOB = "Microsoft.Storage/storageAccounts/blobServices"


def backup_vault(name: str = "bvault-weu", *, rg: str = "rg-backup", sub: str = SUB, location: str = "westeurope",
                 redundancy: str | None = "GeoRedundant", crr: str | None = "Enabled", soft_delete: str | None = "On",
                 days: float | None = 14, immutability: str | None = None) -> dict[str, Any]:
    """GetBackupVault re-homed; None removes a setting (as ARM leaves out what was never set)."""
    body = example_body("dataprotection/GetBackupVault.json")
    body.update(id=arm_id(BACKUP_VAULT, name, rg, sub), name=name, location=location)
    props = body["properties"]
    if redundancy is None:
        props.pop("storageSettings")
    else:
        props["storageSettings"] = [{"type": redundancy, "datastoreType": "VaultStore"}]
    if crr is None:
        props.pop("featureSettings")
    else:
        props["featureSettings"]["crossRegionRestoreSettings"]["state"] = crr
    override(props["securitySettings"]["softDeleteSettings"], {"state": soft_delete, "retentionDurationInDays": days})
    if immutability:
        props["securitySettings"]["immutabilitySettings"] = {"state": immutability}
    return body


def recovery_services_vault(name: str = "rsv-weu", *, rg: str = "rg-backup", sub: str = SUB,
                            location: str = "westeurope", redundancy: str | None = "GeoRedundant",
                            crr: str | None = "Enabled", soft_delete: str | None = "Enabled",
                            days: int | None = 14, legacy: bool = False) -> dict[str, Any]:
    """GETVault re-homed. `legacy`: the properties as older api-versions (and the list example) return them,
    without redundancy and security settings."""
    body = example_body("recoveryservices/GETVault.json")
    body.update(id=arm_id(RS_VAULT, name, rg, sub), name=name, location=location)
    props = body["properties"]
    if legacy:
        body["properties"] = {"provisioningState": "Succeeded"}
        return body
    override(props["redundancySettings"], {"standardTierStorageRedundancy": redundancy, "crossRegionRestore": crr})
    override(props["securitySettings"]["softDeleteSettings"],
             {"softDeleteState": soft_delete, "softDeleteRetentionPeriodInDays": days})
    return body


def storage_config(vault: dict[str, Any], storage_type: str = "GeoRedundant",
                   crr: bool | None = None) -> dict[str, Any]:
    """BackupStorageConfig_Get re-homed under the vault."""
    body = example_body("recoveryservicesbackup/BackupStorageConfig_Get.json")
    body["id"] = f"{vault['id']}/backupstorageconfig/vaultstorageconfig"
    override(body["properties"], {"storageModelType": storage_type, "storageType": storage_type,
                                  "crossRegionRestoreFlag": crr})
    return body


def vault_config(vault: dict[str, Any], state: str = "Enabled", days: int | None = 14) -> dict[str, Any]:
    return {"id": f"{vault['id']}/backupconfig/vaultconfig", "name": "vaultconfig",
            "type": "Microsoft.RecoveryServices/vaults/backupconfig",
            "properties": override({"softDeleteFeatureState": state, "enhancedSecurityState": "Enabled"},
                                   {"softDeleteRetentionPeriodInDays": days})}


def policy(vault: dict[str, Any], name: str = "blob-policy", *, stores: tuple[str, ...] = ("VaultStore",),
           datasource: str = BLOB) -> dict[str, Any]:
    """GetBackupPolicy re-homed: one retention lifecycle per data store in `stores`."""
    body = example_body("dataprotection/GetBackupPolicy.json")
    body.update(id=f"{vault['id']}/backupPolicies/{name}", name=name)
    props = body["properties"]
    props["datasourceTypes"] = [datasource]
    backup_rule, default_rule = props["policyRules"][0], props["policyRules"][1]
    backup_rule["dataStore"]["dataStoreType"] = stores[0]
    lifecycle = default_rule["lifecycles"][0]
    default_rule["lifecycles"] = []
    for store, duration in zip(stores, ("P30D", "P7D"), strict=False):
        entry = copy.deepcopy(lifecycle)
        entry["sourceDataStore"]["dataStoreType"] = store
        entry["deleteAfter"]["duration"] = duration
        default_rule["lifecycles"].append(entry)
    props["policyRules"] = [backup_rule, default_rule]
    return body


def instance(vault: dict[str, Any], the_policy: dict[str, Any], source: dict[str, Any], *, name: str = "bi-1",
             status: str = "ProtectionConfigured", routed: bool = False, datasource: str = BLOB) -> dict[str, Any]:
    """GetBackupInstance re-homed: protecting `source` with `the_policy`. `routed`: as the extension route of
    the data source lists it (id under the data source)."""
    body = example_body("dataprotection/GetBackupInstance.json")
    owner = f"{source['id']}/providers/Microsoft.DataProtection" if routed else vault["id"]
    body.update(id=f"{owner}/backupInstances/{name}", name=name)
    props = body["properties"]
    for key in ("dataSourceInfo", "dataSourceSetInfo"):
        props[key].update(resourceID=source["id"], resourceName=source["name"], resourceLocation=source["location"],
                          datasourceType=datasource, resourceType=source["type"])
    props["policyInfo"]["policyId"] = the_policy["id"]
    props["protectionStatus"]["status"] = status
    return body


def protected_item(vault: dict[str, Any], source_id: str, *, management: str = "AzureWorkload",
                   workload: str = "SQLDataBase", state: str = "Protected") -> dict[str, Any]:
    """BackupProtectedItems_List's item re-homed under the vault, protecting `source_id`."""
    body = example_body("recoveryservicesbackup/BackupProtectedItems_List.json")["value"][0]
    body["id"] = f"{vault['id']}/backupFabrics/Azure/protectionContainers/c1/protectedItems/{workload};item1"
    override(body["properties"], {"backupManagementType": management, "workloadType": workload,
                                  "sourceResourceId": source_id, "protectionState": state,
                                  "virtualMachineId": None, "policyId": f"{vault['id']}/backupPolicies/p1"})
    return body


def file_share_policy(vault: dict[str, Any], name: str = "files-daily", *, vaulted: bool) -> dict[str, Any]:
    """An Azure Files policy of a Recovery Services vault: snapshots only, or with a vault-tier retention."""
    daily = {"retentionTimes": ["2026-01-05T02:00:00Z"], "retentionDuration": {"count": 30, "durationType": "Days"}}
    props: dict[str, Any] = {"backupManagementType": "AzureStorage", "workLoadType": "AzureFileShare",
                             "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy",
                                                "scheduleRunFrequency": "Daily"},
                             "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy",
                                                 "dailySchedule": daily}}
    if vaulted:
        props["vaultRetentionPolicy"] = {"snapshotRetentionInDays": 5, "vaultRetention": props.pop("retentionPolicy")}
    return {"id": f"{vault['id']}/backupPolicies/{name}", "name": name,
            "type": "Microsoft.RecoveryServices/vaults/backupPolicies", "properties": props}
