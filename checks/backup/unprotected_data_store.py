from __future__ import annotations

from collections.abc import Mapping

from checks.backup._vault import GUIDANCE_BACKUP, SERVICE
from checks.storage._replication import STORAGE_ACCOUNT, is_hns, sku_name
from scanner.backup import (
    SourceProtection,
    backed_up_as,
    protection_of,
    subscription_vaults,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource

POSTGRESQL_FLEXIBLE = "Microsoft.DBforPostgreSQL/flexibleServers"
# Blob backup (operational and vaulted) protects block blobs in standard general-purpose v2 accounts
# without a hierarchical namespace only; Data Lake Storage (HNS) vaulted backup is a limited preview.
# https://learn.microsoft.com/azure/backup/blob-backup-support-matrix
# https://learn.microsoft.com/azure/backup/azure-data-lake-storage-backup-support-matrix
BLOB_MATRIX = "https://learn.microsoft.com/azure/backup/blob-backup-support-matrix"
# PostgreSQL flexible server: vaulted (long-term retention) backups in a Backup vault of the server's region.
# https://learn.microsoft.com/azure/backup/backup-azure-database-postgresql-flex-support-matrix
POSTGRESQL_MATRIX = "https://learn.microsoft.com/azure/backup/backup-azure-database-postgresql-flex-support-matrix"
# Azure Files shares (the only data of a FileStorage account): a Recovery Services vault in the account's region;
# snapshot tier (share snapshots in the account) or vault tier.
# https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix
FILES_MATRIX = "https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix"
_LOGIC_REQUIRED = ("where the zone sets azure_backup=required: fail when a data store Azure Backup can protect (block "
                   "blobs of a standard general-purpose v2 account without hierarchical namespace, from a Backup "
                   "vault; the file shares of a FileStorage account, from a Recovery Services vault; a PostgreSQL "
                   "flexible server, from a Backup vault) has no active vault-tier backup (operational-tier "
                   "backups and share snapshots stay in the source account and do not count); unknown when an "
                   "unread vault may hold one")
_LOGIC = f"not applicable unless the zone requires azure_backup; {_LOGIC_REQUIRED}"


class UnprotectedDataStoreCheck(Check):
    id = "BAK-004"
    title = "Data store has no Azure Backup where the zone requires it"
    service = SERVICE
    resource_type = (STORAGE_ACCOUNT, POSTGRESQL_FLEXIBLE)
    severity = Severity.HIGH
    rationale = (
        "Replication copies deletions, corruption and encryption by ransomware to every replica; a backup kept "
        "outside the data store survives them. Where a landing zone requires Azure Backup, every data store "
        "Azure Backup can protect must have a backup instance whose recovery points leave it: the vault tier. "
        "Operational-tier blob backup (point-in-time restore within the account) and snapshot-only Azure Files "
        "backup restore from data the account itself keeps, so they are reported but do not count. A general-purpose "
        "v2 account is judged on its blobs (its file shares are not listed), a FileStorage account on its file "
        "shares. Data stores Azure Backup cannot protect (premium block blob or general-purpose v1 accounts, Data "
        "Lake Storage accounts outside the limited preview) are not applicable, with the reason."
    )
    guidance = GUIDANCE_BACKUP
    logic = {strategy: _LOGIC for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare")}
    remediation = Remediation(
        summary="Protect the data store from a Backup vault in its region with a policy that has a vault-tier "
                "retention rule (vaulted blob backup; PostgreSQL flexible server long-term retention).",
        portal="Backup vault > + Backup > Datasource type: Azure Blobs (Azure Storage) or Azure Database for "
               "PostgreSQL flexible servers > policy with a Vault-standard retention > select the resource.",
        cli="az dataprotection backup-instance initialize --datasource-type AzureBlob -l <region> --policy-id "
            "<policy-id> --datasource-id <account-id> > bi.json\n"
            "az dataprotection backup-instance create -g <rg> --vault-name <vault> --backup-instance bi.json",
        iac="Bicep: Microsoft.DataProtection/backupVaults/backupInstances with properties.dataSourceInfo."
            "resourceID: <data store id> and a policy whose policyRules keep VaultStore recovery points; Terraform: "
            "azurerm_data_protection_backup_instance_blob_storage / _postgresql_flexible_server",
    )
    references = (BLOB_MATRIX, POSTGRESQL_MATRIX, FILES_MATRIX,
                  "https://learn.microsoft.com/azure/backup/blob-backup-overview",
                  "https://learn.microsoft.com/azure/backup/azure-data-lake-storage-backup-support-matrix")

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("azure_backup"):
            return self.not_applicable(f"zone {zone.name} does not require Azure Backup (azure_backup=optional)")
        protection = protection_of(resource, ctx.inventory, *backed_up_as(resource))
        if protection.vaulted:
            return self.passed(f"backed up to the vault tier: {protection.vaulted[0].describe()}",
                               observed=[p.describe() for p in protection.vaulted])
        unsupported = self._unsupported(resource)
        if unsupported:
            return self.not_applicable(unsupported)
        if protection.undecided or protection.gap:
            missing = (f"the policy (tier) of {protection.undecided[0].describe()}" if protection.undecided
                       else f"Backup vaults that may protect {resource.name}")
            return self.unknown(missing, protection.gap)
        return self._failed(resource, ctx, protection)

    @staticmethod
    def _unsupported(resource: Resource) -> str | None:
        """Why Azure Backup cannot protect this data store (None: it can)."""
        if resource.type_key == POSTGRESQL_FLEXIBLE.lower():
            return None
        kind = resource.kind or "unknown kind"
        if kind.lower() == "filestorage":
            return None  # Azure Files shares, from a Recovery Services vault
        if not isinstance(resource.raw.get("properties"), Mapping):
            return None  # cannot tell; the verdict rests on the protection found (or unknown)
        if is_hns(resource):
            return ("hierarchical-namespace (Data Lake Storage) accounts: blob backup does not support them and Data "
                    "Lake Storage vaulted backup is a limited preview in a few regions")
        if kind.lower() != "storagev2" or not (sku_name(resource) or "").lower().startswith("standard_"):
            return (f"{kind} account ({sku_name(resource)}): Azure Backup protects blobs of standard general-purpose "
                    "v2 accounts only")
        return None

    def _failed(self, resource: Resource, ctx: EvaluationContext, protection: SourceProtection) -> Result:
        vault_type = backed_up_as(resource)[1]
        nearby = subscription_vaults(resource, ctx.inventory, vault_type)
        observed = ([p.describe() for p in protection.active] or [p.describe() for p in protection.protections]
                    or "no backup instance")
        hint = (f"; vault {nearby[0].name} is in the same region and subscription" if nearby
                else f"; no {vault_type} in {resource.location} in this subscription")
        what = ("only operational-tier backups or snapshots (kept inside the data store)" if protection.active
                else "no active backup")
        return self.failed(
            f"{resource.name} has {what}: zone {ctx.zone.name} requires Azure Backup with recovery points outside "
            f"the data store{hint}",
            observed=observed, required="an active backup instance with a vault-tier (VaultStore) retention rule",
            requirement=ctx.zone.requirement("azure_backup"),
            nearest_vault=nearby[0].id if nearby else None,
        )

